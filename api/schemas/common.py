"""Building blocks shared by the request and response models.

Bounds here are sanity bounds, not rules: they keep absurd input (a year
10000, a quota of a billion, a 1 MB name) out of the ledger as a 422. They are
domain/limits.py's, shared with the importer. The rules themselves (a grade
within its post's range, a free seat) belong to the domain, which answers 409
when one refuses a fact.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from domain import limits
from domain.limits import FIRST_YEAR, LAST_YEAR, UNPRINTABLE

__all__ = ["FIRST_YEAR", "LAST_YEAR"]  # read by the routers' path parameters


class RequestModel(BaseModel):
    """A request body: unknown fields are refused, so a misspelt field is never ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        if isinstance(value, str) and UNPRINTABLE.search(value):
            raise ValueError("the text contains a control character or an unpaired surrogate")
        return value


class ResponseModel(BaseModel):
    """An answer: fields the ledger adds later pass through rather than being dropped."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _in_ledger_years(day: date) -> date:
    if not limits.in_years(day.year):
        raise ValueError(f"the date must fall in the years {FIRST_YEAR}-{LAST_YEAR}")
    return day


def _plausible_birth(day: date) -> date:
    if not limits.in_years(day.year, limits.FIRST_BIRTH_YEAR):
        raise ValueError(
            f"the birth date must fall in the years {limits.FIRST_BIRTH_YEAR}-{LAST_YEAR}"
        )
    return day


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _not_a_number(value: Any) -> Any:
    # pydantic reads a number, or text that looks like one, as seconds since 1970:
    # as_of=0 would silently answer for 1 January 1970, known_at=86400 for the 2nd.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("write the date as YYYY-MM-DD (a time as RFC 3339), not a number")
    return value


LedgerDate = Annotated[date, BeforeValidator(_not_a_number), AfterValidator(_in_ledger_years)]
BirthDate = Annotated[date, BeforeValidator(_not_a_number), AfterValidator(_plausible_birth)]
# A moment with its timezone (known_at), never seconds since 1970.
LedgerMoment = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]

# Strict: a JSON number only, so true, 3.0 and "3" are refused instead of coerced.
Year = Annotated[int, Field(strict=True, ge=FIRST_YEAR, le=LAST_YEAR)]
ServiceYears = Annotated[int, Field(strict=True, ge=0, le=limits.SERVICE_YEARS_MAX)]
Headcount = Annotated[int, Field(strict=True, ge=0, le=limits.HEADCOUNT_MAX)]
Population = Annotated[int, Field(strict=True, ge=0, le=limits.POPULATION_MAX)]
UnitClass = Annotated[int, Field(strict=True, ge=1, le=3)]
# Any integer: whether it fits the post's range is a rule, answered 409 grade_out_of_range.
Grade = Annotated[int, Field(strict=True)]

Name = Annotated[str, StringConstraints(min_length=1, max_length=limits.NAME_MAX_LENGTH)]
DocumentRef = Annotated[
    str, StringConstraints(min_length=1, max_length=limits.DOCUMENT_REF_MAX_LENGTH)
]
OptionalDocumentRef = Annotated[str, StringConstraints(max_length=limits.DOCUMENT_REF_MAX_LENGTH)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=limits.REASON_MAX_LENGTH)]
Note = Annotated[str, StringConstraints(max_length=limits.NOTE_MAX_LENGTH)]
# Resident identity card numbers, recorded with an upper-case check character X.
IdNumber = Annotated[
    str,
    StringConstraints(pattern=limits.ID_NUMBER_PATTERN),
    AfterValidator(limits.id_number),
    Field(description=f"Resident ID number: {limits.ID_NUMBER_EXPECTED}"),
]
