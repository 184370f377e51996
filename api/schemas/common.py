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
from domain.posts import POST_CODE

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


# The year bounds stated in the document too, as a pattern (JSON Schema has no date range).
_DAY = "-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
LedgerDate = Annotated[
    date,
    BeforeValidator(_not_a_number),
    AfterValidator(_in_ledger_years),
    Field(json_schema_extra={"pattern": f"^{limits.YEAR_PATTERN}{_DAY}"}),
]
BirthDate = Annotated[
    date,
    BeforeValidator(_not_a_number),
    AfterValidator(_plausible_birth),
    Field(json_schema_extra={"pattern": f"^(19[0-9][0-9]|20[0-9][0-9]|2100){_DAY}"}),
]
# A moment with its timezone (known_at), never seconds since 1970.
LedgerMoment = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]


def _whole(value: Any) -> Any:
    # JSON Schema's integer is any number without a fraction, so 3.0 is one (a document's
    # client may send it); true, "3" and 7.5 are not, and strict validation refuses them.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Whole = BeforeValidator(_whole)  # after the Field, so the document keeps its bounds
Year = Annotated[int, Field(strict=True, ge=FIRST_YEAR, le=LAST_YEAR), Whole]
ServiceYears = Annotated[int, Field(strict=True, ge=0, le=limits.SERVICE_YEARS_MAX), Whole]
Headcount = Annotated[int, Field(strict=True, ge=0, le=limits.HEADCOUNT_MAX), Whole]
Population = Annotated[int, Field(strict=True, ge=0, le=limits.POPULATION_MAX), Whole]
UnitClass = Annotated[int, Field(strict=True, ge=1, le=3), Whole]
# Any integer: whether it fits the post's range is a rule, answered 409 grade_out_of_range.
Grade = Annotated[int, Field(strict=True), Whole]

# What RequestModel refuses, stated in the document: no control character (UNPRINTABLE
# but the surrogates, which JSON text does not carry) and, where text is required,
# something besides white space (it is stripped).
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
PRINTABLE = Field(json_schema_extra={"pattern": f"^[^{_CONTROL}]*$"})
NOT_BLANK = Field(json_schema_extra={"pattern": rf"^[^{_CONTROL}]*[^{_CONTROL}\s][^{_CONTROL}]*$"})

Name = Annotated[str, StringConstraints(min_length=1, max_length=limits.NAME_MAX_LENGTH), NOT_BLANK]
DocumentRef = Annotated[
    str, StringConstraints(min_length=1, max_length=limits.DOCUMENT_REF_MAX_LENGTH), NOT_BLANK
]
OptionalDocumentRef = Annotated[
    str, StringConstraints(max_length=limits.DOCUMENT_REF_MAX_LENGTH), PRINTABLE
]
Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=limits.REASON_MAX_LENGTH), NOT_BLANK
]
Note = Annotated[str, StringConstraints(max_length=limits.NOTE_MAX_LENGTH), PRINTABLE]
# A post is a code of the policy in force on the date concerned: the schema states the
# form of a code (domain.posts.POST_CODE); which codes are posts then is the domain's to
# say (``Policy.require_post``: a 422 naming the posts there are), not an enum's.
POST_DESCRIPTION = "A post code of the policy in force on the date; see GET /policies/current"
PostCode = Annotated[
    str,
    StringConstraints(max_length=40),
    Field(description=POST_DESCRIPTION, json_schema_extra={"pattern": POST_CODE.pattern}),
]
PostOut = Annotated[str, Field(description=POST_DESCRIPTION)]
# Resident identity card numbers, recorded with an upper-case check character X.
IdNumber = Annotated[
    str,
    StringConstraints(pattern=limits.ID_NUMBER_PATTERN),
    AfterValidator(limits.id_number),
    Field(description=f"Resident ID number: {limits.ID_NUMBER_EXPECTED}"),
]
