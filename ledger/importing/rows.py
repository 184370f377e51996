"""From a sheet's header and cells to typed values, with a problem for every bad cell.

This is everything that can be checked on one row alone: known columns, required
and applicable columns per fact, and each value's type and range. A post is read
against the policy version in force on the row's date (the ledger's schedule, read
once: the policy is a value, not the ledger's state of units or workers). What needs
other rows or the ledger (a unit's quota, a worker's timeline) is checked by loading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl.utils import get_column_letter

from domain.policy import PolicySchedule
from domain.vocabulary import (
    PERSON_GRADE_CHANGE_REASONS,
    DismissalReason,
    FactType,
    GradeChangeReason,
    PostChangeReason,
    UnitKind,
)
from ledger.importing import cells
from ledger.importing.cells import CellError, Parser
from ledger.importing.columns import (
    COLUMNS,
    FACT_COLUMNS,
    REQUIRED,
    Column,
    SheetKind,
    allowed,
    match_header,
)
from ledger.importing.problems import Problem

Values = dict[str, Any]

REASONS: Mapping[FactType, Parser] = {
    FactType.APPRAISAL_CORRECTION: cells.text(500),
    FactType.GRADE_CHANGE: cells.coded(GradeChangeReason, only=PERSON_GRADE_CHANGE_REASONS),
    FactType.POST_CHANGE: cells.coded(PostChangeReason),
    FactType.DISMISSAL: cells.coded(DismissalReason),
}


@dataclass
class Header:
    """Which column of the sheet is which, and how to name each in a message."""

    sheet: str
    kind: SheetKind
    columns: dict[int, Column] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def read(cls, sheet: str, kind: SheetKind, cells_: Sequence[Any]) -> Header:
        header = cls(sheet, kind)
        known = COLUMNS[kind]
        for index, cell in enumerate(cells_):
            letter = get_column_letter(index + 1)
            if cells.blank(cell):
                continue
            column = match_header(cell, known)
            written = f"{letter} {str(cell).strip()}"
            if column is None:
                header._problem(written, f"{cells.shown(cell)} is not a column of this sheet", kind)
            elif column.code in header.labels:
                header._problem(written, f"a second {column.header} column", kind)
            else:
                header.columns[index] = column
                header.labels[column.code] = written
        for code in REQUIRED[kind]:
            if code not in header.labels:
                column = next(c for c in known if c.code == code)
                header._problem("", f"no {column.header} column", kind)
        return header

    def _problem(self, column: str, what: str, kind: SheetKind) -> None:
        names = ", ".join(c.header for c in COLUMNS[kind])
        self.problems.append(Problem(self.sheet, 1, column, what, f"the columns {names}"))

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    def problem(self, row: int, code: str, what: str, expected: str) -> Problem:
        return Problem(self.sheet, row, self.label(code) if code else "", what, expected)

    def values(self, row: int, found: Sequence[Any]) -> tuple[Values, list[Problem]]:
        """The typed value of every filled cell, and a problem for each bad one."""
        values: Values = {}
        problems: list[Problem] = []
        for index, cell in enumerate(found):
            if cell is None or cell == "" or (isinstance(cell, str) and cell.isspace()):
                continue  # cells.blank, inline: most cells of a history are empty
            column = self.columns.get(index)
            if column is None:
                letter = get_column_letter(index + 1)
                problems.append(
                    Problem(
                        self.sheet,
                        row,
                        letter,
                        "a value in a column without a known header",
                        "every value under one of the sheet's columns",
                    )
                )
                continue
            parse = _reason_as_text if column.code == "reason" else column.parse
            try:
                values[column.code] = parse(cell)
            except CellError as error:
                problems.append(self.problem(row, column.code, error.what, error.expected))
        return values, problems


class Posts:
    """Reads a post cell against the posts of the version in force on a date."""

    def __init__(self, schedule: PolicySchedule) -> None:
        self.schedule = schedule
        self._parsers: dict[int, Parser] = {}  # by version: a parser lists its posts once

    def read(self, value: Any, day: date) -> str:
        version = self.schedule.version_on(day)
        parse = self._parsers.get(version.version)
        if parse is None:
            parse = self._parsers[version.version] = cells.post(version.policy)
        try:
            code: str = parse(value)
        except CellError as error:
            raise CellError(f"{error.what}, in force on {day}", error.expected) from None
        return code


def _reason_as_text(value: Any) -> str:
    return str(cells.text(500)(value))


# Dated counts of a unit (with 统计日期 counts_date), what the quota formula reads.
COUNTS = ("households", "grids", "population")


def unit_problems(header: Header, row: int, values: Values, seen: set[str]) -> list[Problem]:
    """A unit's first row names and places it; every row's quota is whole or absent;
    grids are counted from a date, and a date counts something."""
    problems = []
    first = values.get("unit_key") not in seen
    kind = values.get("kind")
    if first:
        for code in ("name", "kind"):
            if code not in values:
                problems.append(
                    header.problem(row, code, "empty on the unit's first row", "a value")
                )
        if kind not in (None, UnitKind.DISTRICT) and "parent_key" not in values:
            problems.append(
                header.problem(row, "parent_key", "empty", "the key of the unit above this one")
            )
    if kind is UnitKind.DISTRICT and "parent_key" in values:
        problems.append(
            header.problem(row, "parent_key", "a district has no unit above it", "an empty cell")
        )
    counted = [code for code in COUNTS if code in values]
    if "counts_date" in values and not counted:
        names = ", ".join(header.label(c) for c in COUNTS)
        problems.append(
            header.problem(row, "counts_date", "a date without counts", f"one of {names} with it")
        )
    if "grids" in values and "counts_date" not in values:
        problems.append(
            header.problem(
                row, "counts_date", "empty", "the date the grids are counted from (统计日期)"
            )
        )
    for group in (
        ("quota", "quota_effective_date", "document_ref"),
        ("dispatch_year", "dispatch_headcount"),
    ):
        given = [code for code in group if code in values]
        if given and len(given) < len(group):
            for code in group:
                if code not in values:
                    wanted = " and ".join(header.label(c) for c in given)
                    problems.append(header.problem(row, code, "empty", f"a value with {wanted}"))
    return problems


def fact_problems(header: Header, row: int, values: Values, posts: Posts) -> list[Problem]:
    """Each fact's required columns filled, no column it does not take, its reason read,
    its post one of the version in force on its date."""
    fact = values.get("fact")
    if not isinstance(fact, FactType):
        return []  # an empty or unknown fact is already a problem
    required, _ = FACT_COLUMNS[fact]
    takes = allowed(fact)
    problems = [
        header.problem(row, code, f"empty for a {fact.label} {fact.value} row", "a value")
        for code in sorted(required - values.keys(), key=_order)
    ]
    for code in sorted(values.keys() - takes, key=_order):
        names = ", ".join(header.label(c) for c in sorted(takes, key=_order))
        problems.append(
            header.problem(
                row,
                code,
                f"a {fact.label} {fact.value} row does not take this column",
                f"only {names}",
            )
        )
    if "reason" in values and fact in REASONS:
        try:
            values["reason"] = REASONS[fact](values["reason"])
        except CellError as error:
            problems.append(header.problem(row, "reason", error.what, error.expected))
    if "post" in values and "effective_date" in values and "post" in takes:
        try:
            values["post"] = posts.read(values["post"], values["effective_date"])
        except CellError as error:
            problems.append(header.problem(row, "post", error.what, error.expected))
    return problems


_POSITION = {c.code: n for n, c in enumerate(COLUMNS[SheetKind.WORKERS])}


def _order(code: str) -> int:
    return _POSITION.get(code, len(_POSITION))
