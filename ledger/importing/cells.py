"""Reading one cell: text, whole numbers, dates and coded values as spreadsheets hold them.

A parser answers the typed value or raises :class:`CellError` saying what is wrong
and what was expected. The sanity bounds are domain/limits.py's, which the HTTP API
reads too: the importer is a second door to the same ledger and lets in nothing the
API refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from domain import limits
from domain.limits import FIRST_YEAR, LAST_YEAR, UNPRINTABLE
from domain.policy import Policy
from domain.vocabulary import Labelled

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_EPOCH = date(1899, 12, 30)

E = TypeVar("E", bound=Labelled)
Parser = Callable[[Any], Any]


class CellError(ValueError):
    def __init__(self, what: str, expected: str) -> None:
        super().__init__(what)
        self.what = what
        self.expected = expected


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: Any) -> str:
    """The cell as the user sees it, quoted, for messages."""
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def text(max_length: int, *, expected: str = "") -> Parser:
    wanted = expected or f"text of at most {max_length} characters"

    def parse(value: Any) -> str:
        if isinstance(value, bool):
            raise CellError(f"{shown(value)} is not text", wanted)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a numeric key typed into a number-formatted cell
        found = str(value).strip()
        if UNPRINTABLE.search(found):
            raise CellError("the text holds a control character", wanted)
        if len(found) > max_length:
            raise CellError(f"the text is {len(found)} characters long", wanted)
        return found

    return parse


def whole(low: int, high: int, what: str = "a whole number") -> Parser:
    wanted = f"{what} from {low} to {high}"

    def parse(value: Any) -> int:
        number: int
        if isinstance(value, bool):
            raise CellError(f"{shown(value)} is not a whole number", wanted)
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*(年)?\s*", value):
            number = int(value.strip().rstrip("年"))
        else:
            raise CellError(f"{shown(value)} is not a whole number", wanted)
        if not low <= number <= high:
            raise CellError(f"{number} is out of range", wanted)
        return number

    return parse


def day(first_year: int = FIRST_YEAR) -> Parser:
    wanted = f"a date such as 2020-01-01, in the years {first_year}-{LAST_YEAR}"

    def parse(value: Any) -> date:
        found: date
        if isinstance(value, datetime):
            found = value.date()
        elif isinstance(value, date):
            found = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            # A date cell formatted as a number: Excel counts days from 1899-12-30.
            if not 10_000 <= value <= 80_000:
                raise CellError(f"{shown(value)} is a number, not a date", wanted)
            found = _EXCEL_EPOCH + timedelta(days=int(value))
        elif isinstance(value, str) and (match := _DATE.match(value.strip())):
            try:
                found = date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellError(f"{shown(value)} is not a date", wanted) from None
        else:
            raise CellError(f"{shown(value)} is not a date", wanted)
        if not first_year <= found.year <= LAST_YEAR:
            raise CellError(f"{found} is out of range", wanted)
        return found

    return parse


def coded(enum: type[E], *, only: frozenset[E] | None = None) -> Parser:
    """A code or its Chinese label (from domain/vocabulary.py, the one table of them)."""
    members = [m for m in enum if only is None or m in only]
    wanted = "one of " + ", ".join(f"{m.label} {m.value}" for m in members)

    def parse(value: Any) -> E:
        if not isinstance(value, str):
            raise CellError(f"{shown(value)} is not a {_name(enum)}", wanted)
        try:
            member = enum.from_text(value)
        except ValueError:
            raise CellError(f"{shown(value)} is not a {_name(enum)}", wanted) from None
        if member not in members:
            raise CellError(f"{member.value} ({member.label}) is not accepted here", wanted)
        return member

    return parse


def post(policy: Policy) -> Parser:
    """A post of ``policy`` (the version in force on the row's date): its code, its
    Chinese label or its English one. Posts are the policy's, not domain/vocabulary.py's:
    a code another version defines is refused here, as the ledger would refuse it."""
    names: dict[str, str] = {}
    for found in policy.posts:
        names[found.code] = names[found.label_zh] = found.code
        names.setdefault(found.label_en.casefold(), found.code)
    listed = ", ".join(f"{p.label_zh} {p.code}" for p in policy.posts)
    wanted = f"one of the posts of policy {policy.policy_id}: {listed}"

    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise CellError(f"{shown(value)} is not a post", wanted)
        written = value.strip()
        code = names.get(written) or names.get(written.casefold())
        if code is None:
            raise CellError(f"{shown(value)} is not a post of policy {policy.policy_id}", wanted)
        return code

    return parse


def id_number(value: Any) -> str:
    wanted = f"{limits.ID_NUMBER_EXPECTED}, in a cell formatted as text"
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-digit number has already lost some.
        raise CellError("the ID number is stored as a number and may have lost digits", wanted)
    try:
        return limits.id_number(str(value))
    except ValueError:
        raise CellError(f"{shown(value)} is not a resident ID number", wanted) from None


def _name(enum: type[Labelled]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", enum.__name__).lower()
