"""The first pass: stream every sheet, check each row alone, set the workers' rows aside.

Units are few (a district has a few hundred) and stay in memory; the workers'
rows go to :class:`Staging`. Nothing touches the ledger here but its policy versions,
read once before: a post is read against the version in force on its row's date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from domain.policy import PolicySchedule
from domain.vocabulary import UnitKind
from ledger.importing import keys
from ledger.importing.columns import REQUIRED, SHEET_TITLES, SheetKind, sheet_kind
from ledger.importing.load_units import UnitRow
from ledger.importing.problems import Problem
from ledger.importing.reading import Sheet, sheets
from ledger.importing.rows import Header, Posts, fact_problems, unit_problems
from ledger.importing.staging import Staging


class Progress(Protocol):
    def start(self, stage: str, total: int | None) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class NoProgress:
    def start(self, stage: str, total: int | None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


@dataclass
class FirstPass:
    # The ledger's policy versions: a post is read as the one in force on its row's date.
    schedule: PolicySchedule
    problems: list[Problem] = field(default_factory=list)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    units: list[UnitRow] = field(default_factory=list)
    districts: list[tuple[str, int, str]] = field(default_factory=list)  # sheet, row, key
    plain_keys: bool = False  # some key is not a ledger id: ids need the district's key
    ignored: list[str] = field(default_factory=list)
    rows: int = 0
    # Keys with a bad row: loading skips them, so one mistake is told once, not again
    # by every row that depends on it.
    bad_units: set[str] = field(default_factory=set)
    bad_workers: set[str] = field(default_factory=set)
    # A problem that stops the check: a sheet's header, or keys without their district.
    fatal: bool = False

    def read(
        self, paths: Sequence[Path], encoding: str | None, staging: Staging, progress: Progress
    ) -> None:
        for path in paths:
            for sheet in sheets(path, encoding):
                kind = sheet_kind(sheet.header)
                if kind is None:
                    self.ignored.append(sheet.name)
                    continue
                if sheet.name in self.labels:
                    sheet.name = f"{path.name}:{sheet.name}"  # two files, same sheet name
                progress.start(f"reading {sheet.name}", sheet.total)
                self._sheet(sheet, kind, staging, progress)
        if not self.labels:
            self.fatal = True
            expected = " or ".join(SHEET_TITLES.values())
            self.problems.append(
                Problem(
                    ", ".join(p.name for p in paths),
                    1,
                    "",
                    "no units or workers sheet",
                    f"a {expected} sheet (with a 单位编号 unit_key or 人员编号 worker_key column)",
                )
            )

    def _sheet(self, sheet: Sheet, kind: SheetKind, staging: Staging, progress: Progress) -> None:
        header = Header.read(sheet.name, kind, sheet.header)
        self.labels[sheet.name] = header.labels
        self.problems += header.problems
        if header.problems:
            self.fatal = True
            return  # every row would repeat the header's problem
        seen: set[str] = {u[2]["unit_key"] for u in self.units}
        posts = Posts(self.schedule)
        for number, cells in sheet.rows:
            self.rows += 1
            progress.advance()
            values, problems = header.values(number, cells)
            for code in REQUIRED[kind]:
                if code not in values:
                    problems.append(header.problem(number, code, "empty", "a value"))
            if kind is SheetKind.UNITS:
                problems += unit_problems(header, number, values, seen)
            else:
                problems += fact_problems(header, number, values, posts)
            # A bad cell is missing from the values: told once, not again as empty.
            problems = list({p.column: p for p in reversed(problems)}.values())[::-1]
            self.problems += problems
            if problems:
                key = values.get("unit_key" if kind is SheetKind.UNITS else "worker_key")
                bad = self.bad_units if kind is SheetKind.UNITS else self.bad_workers
                if isinstance(key, str):
                    bad.add(key)
                continue
            self._keys(values)
            if kind is SheetKind.UNITS:
                seen.add(values["unit_key"])
                self.units.append((sheet.name, number, values))
                if values.get("kind") is UnitKind.DISTRICT:
                    self.districts.append((sheet.name, number, values["unit_key"]))
            else:
                staging.add(sheet.name, number, values)

    def _keys(self, values: dict[str, object]) -> None:
        for code in ("unit_key", "parent_key", "worker_key"):
            found = values.get(code)
            if isinstance(found, str) and keys.as_id(found) is None:
                self.plain_keys = True
