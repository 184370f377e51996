"""The HTTP API and the importer let in the same values: both read domain/limits.py."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from api.schemas.workers import AppraisalIn, HireIn
from domain import limits
from ledger.importing.cells import CellError
from ledger.importing.columns import WORKER_COLUMNS

IMPORTER = {column.code: column.parse for column in WORKER_COLUMNS}
HIRE = {
    "name": "周涛",
    "gender": "male",
    "birth_date": "1990-05-01",
    "education": "bachelor",
    "unit_id": "15c79838-d8fb-401f-a69c-188b52021f06",
    "post": "officer",
    "hire_date": "2020-01-01",
    "channel": "open_recruitment",
}


def api(field: str, value: Any) -> Any:
    """The value as the API records it, or ValueError if the API refuses it."""
    try:
        if field == "year":
            return AppraisalIn(year=value, rating="competent").year
        return getattr(HireIn(**{**HIRE, field: value}), field)
    except ValidationError as error:
        raise ValueError(str(error)) from None


def importer(field: str, value: Any) -> Any:
    try:
        return IMPORTER[field](value)
    except CellError as error:
        raise ValueError(str(error)) from None


def outcome(door: Any, field: str, value: Any) -> Any:
    try:
        return door(field, value)
    except ValueError:
        return "refused"


EXAMPLES = [
    ("id_number", "11010119860520002X", "11010119860520002X"),
    ("id_number", "11010119860520002x", "11010119860520002X"),
    ("id_number", "110101198605200021", "110101198605200021"),
    ("id_number", "110101860520002", "110101860520002"),
    ("id_number", " 110101198605200021 ", "110101198605200021"),
    ("id_number", "11010119860520002Y", "refused"),
    ("id_number", "1101011986052000", "refused"),
    ("id_number", "1101011986052000211", "refused"),
    ("id_number", "X10101198605200021", "refused"),
    ("id_number", "١١٠١٠١١٩٨٦٠٥٢٠٠٠٢١", "refused"),  # digits, but not ASCII ones
    ("name", "周" * limits.NAME_MAX_LENGTH, "周" * limits.NAME_MAX_LENGTH),
    ("name", "周" * (limits.NAME_MAX_LENGTH + 1), "refused"),
    ("name", "周\x00涛", "refused"),
    ("year", limits.FIRST_YEAR, limits.FIRST_YEAR),
    ("year", limits.LAST_YEAR, limits.LAST_YEAR),
    ("year", limits.FIRST_YEAR - 1, "refused"),
    ("year", limits.LAST_YEAR + 1, "refused"),
    ("hire_date", "1949-01-01", date(1949, 1, 1)),
    ("hire_date", "2100-12-31", date(2100, 12, 31)),
    ("hire_date", "1948-12-31", "refused"),
    ("hire_date", "2101-01-01", "refused"),
    ("birth_date", "1900-01-01", date(1900, 1, 1)),
    ("birth_date", "1899-12-31", "refused"),
]


@pytest.mark.parametrize(("field", "value", "expected"), EXAMPLES)
def test_the_api_and_the_importer_agree(field: str, value: Any, expected: Any) -> None:
    column = {"hire_date": "effective_date"}.get(field, field)
    assert outcome(api, field, value) == expected
    assert outcome(importer, column, value) == expected


def test_the_year_pattern_is_the_years_of_the_ledger() -> None:
    """The pattern OpenAPI states for months and dates holds exactly FIRST_YEAR-LAST_YEAR."""
    matched = [y for y in range(10_000) if re.fullmatch(limits.YEAR_PATTERN, f"{y:04d}")]
    assert matched == list(range(limits.FIRST_YEAR, limits.LAST_YEAR + 1))
