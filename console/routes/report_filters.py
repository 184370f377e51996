"""The filters of the report pages (search, rules, payroll), read from a GET form.

A GET form sends every field, empty ones as ``""``: an empty field means "not
filtered". A value that does not parse is refused naming its field, like the
API's 422, and shown as the refusal page in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from domain.errors import InvalidInput

E = TypeVar("E", bound=Enum)

# 知情时间 from a ``datetime-local`` field has no zone: the offices' own, China Standard Time.
CHINA = timezone(timedelta(hours=8), "CST")


def text(value: str | None) -> str:
    return (value or "").strip()


def unit(value: str | None, field: str = "unit_id") -> UUID | None:
    if not text(value):
        return None
    try:
        return UUID(text(value))
    except ValueError:
        raise InvalidInput.because("not_a_unit_id", field=field, value=value) from None


def day(value: str | None, field: str, default: date | None = None) -> date | None:
    if not text(value):
        return default
    try:
        found = date.fromisoformat(text(value))
    except ValueError:
        raise InvalidInput.because("not_a_date", field=field, value=value) from None
    if not 1949 <= found.year <= 2100:
        raise InvalidInput.because("date_years", field=field, first=1949, last=2100)
    return found


def moment(value: str | None, field: str = "known_at") -> datetime | None:
    """A ``datetime-local`` value (China time) or an RFC 3339 moment with its zone."""
    if not text(value):
        return None
    try:
        found = datetime.fromisoformat(text(value))
    except ValueError:
        raise InvalidInput.because("not_a_moment", field=field, value=value) from None
    return found if found.tzinfo else found.replace(tzinfo=CHINA)


def member(enum: type[E], value: str | None, field: str) -> E | None:
    if not text(value):
        return None
    try:
        return enum(text(value))
    except ValueError:
        raise InvalidInput.because("not_a_member", field=field, value=value) from None


def number(value: str | None, field: str, low: int, high: int) -> int | None:
    if not text(value):
        return None
    try:
        found = int(text(value))
    except ValueError:
        raise InvalidInput.because("not_whole_number", field=field, value=value) from None
    if not low <= found <= high:
        raise InvalidInput.because("number_range", field=field, name=field, low=low, high=high)
    return found


def query(values: Mapping[str, Any]) -> str:
    """The query string of the filters that are set (for links keeping them)."""
    return urlencode({k: str(v) for k, v in values.items() if v not in (None, "")})
