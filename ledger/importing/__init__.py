"""Importing a district from spreadsheets: units with their quotas, workers with their history.

Three passes, so that a file loads completely or not at all:

1. :mod:`first_pass` streams every row and checks it alone (columns, types, codes);
2. :func:`loader.check` checks every fact against the domain's rules, through the
   application's use cases as the HTTP API calls them, and sets the events aside;
3. only if nothing was wrong (and not ``dry_run``), :func:`loader.write` records them.

See docs/import.md for the file format.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from domain.access import Actor
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.commands import Context
from ledger.importing.first_pass import FirstPass, NoProgress, Progress
from ledger.importing.loader import Aborted, check, write
from ledger.importing.problems import Problem
from ledger.importing.reading import FileProblem
from ledger.importing.staging import Staging

__all__ = ["Aborted", "FileProblem", "ImportResult", "Problem", "import_files"]


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    ignored_sheets: list[str] = field(default_factory=list)
    rows: int = 0
    recorded: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def import_files(
    ledger: Ledger,
    paths: Sequence[Path],
    *,
    dry_run: bool = False,
    encoding: str | None = None,
    district: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check ``paths`` and, if every row is good and not ``dry_run``, record them."""
    progress = progress or NoProgress()
    result = ImportResult()
    with Staging() as staging:
        first = FirstPass(ledger.schedule())
        first.read(paths, encoding, staging, progress)
        result.rows, result.ignored_sheets = first.rows, first.ignored
        district = _district(first, district)
        order = {name: n for n, name in enumerate(first.labels)}
        if first.fatal:
            result.problems = _sorted(first.problems, order)
            return result
        # The events are made, so stamped, by the check: by the import and its file.
        importer = Actor(f"import:{','.join(p.name for p in paths)}", Role.ADMIN)
        ctx = Context(importer, f"import-{_fingerprint(paths)}")
        checked = check(ledger, ctx, first, staging, district, progress=progress)
        result.counts = checked.counts
        result.problems = _sorted(first.problems + checked.problems, order)
        if result.problems or dry_run:
            return result
        result.counts["saves"] = write(ledger, staging, progress, result.counts["events"])
        result.recorded = True
    return result


def _district(first: FirstPass, given: str | None) -> str | None:
    """The district that scopes the file's keys: its district row's key, or ``given``."""
    found = {key for _, _, key in first.districts}
    if given is not None and found and found != {given}:
        first.fatal = True
        sheet, row, key = first.districts[0]
        first.problems.append(
            Problem(
                sheet,
                row,
                "",
                f"the file's district is {key!r}, not --district {given!r}",
                "the same district",
            )
        )
    if given is not None:
        return given
    if len(found) == 1:
        return found.pop()
    if first.plain_keys:
        first.fatal = True
        what = "several districts" if found else "no district row"
        first.problems.append(
            Problem(
                first.districts[1][0] if found else next(iter(first.labels), ""),
                1,
                "",
                f"the file has {what}, and its keys are scoped by their district",
                "one 区 district row in the units sheet, or --district KEY naming an imported one",
            )
        )
    return None


def _sorted(problems: list[Problem], order: dict[str, int]) -> list[Problem]:
    """In the order of the file: sheet by sheet, row by row."""
    return sorted(problems, key=lambda p: (order.get(p.sheet, -1), p.row, p.column))


def _fingerprint(paths: Sequence[Path]) -> str:
    """The files' content hash: the events' request id says which file version it was."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]
