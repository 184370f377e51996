"""Import benchmark: a whole district's spreadsheet into PostgreSQL, against generating the
same history straight into the ledger, measured in the same run.

    python bench/import_district.py --workers 3000 --years 10 [--csv] [--folder /tmp/import-bench]

1. Generates a district history in memory (``seed.generate``: hires, appraisals, steps,
   promotions, transfers, departures and refills through the aggregates) and exports it in
   the import format with short keys as a clerk's file has them (单位 BH-03-07, 人员 004211),
   Chinese labels and Chinese headers. The file is kept in ``--folder`` and reused.
2. Imports it into a fresh PostgreSQL database with ``import_files`` (what ``ledger import``
   runs), timing each stage: reading (first pass), checking, recording.
3. Baseline: ``ledger generate`` of the same size into another fresh database, which records
   a like history through the same aggregates in large batches but reads no file.

Prints one JSON object. Databases ``ledger_bench_import_*`` are created and dropped.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from ledger.adapters import spreadsheets
from ledger.adapters.spreadsheets import Table
from ledger.application import Ledger
from ledger.importing import import_files
from ledger.importing.export import history_tables
from ledger.runtime import open_ledger
from ledger.settings import Settings
from seed.generate import generate

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


class Stages:
    """The import's progress callbacks, turned into each stage's wall time."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._stage: str | None = None
        self._started = 0.0

    def start(self, stage: str, total: int | None) -> None:
        self.finish()
        self._stage, self._started = stage.split(" ")[0], time.monotonic()

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        if self._stage is not None:
            spent = time.monotonic() - self._started
            self.times[self._stage] = self.times.get(self._stage, 0.0) + spent
            self._stage = None


def district_file(folder: Path, workers: int, years: int, as_csv: bool) -> Path:
    target = folder / f"district-{workers}x{years}.xlsx"
    if not target.exists():
        ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        ledger.bootstrap("baohe-2020")
        started = time.monotonic()
        generate(ledger, workers=workers, years=years)
        print(f"generated in memory in {time.monotonic() - started:.0f} s", file=sys.stderr)
        keys: dict[str, str] = {}  # one mapping for both sheets: the workers name units
        tables = [_short_keys(t, keys) for t in history_tables(ledger, ledger.directory().roots)]
        spreadsheets.write(tables, target)
    if not as_csv:
        return target
    return _as_csv(target)


def _short_keys(table: Table, keys: dict[str, str]) -> Table:
    """Ids as a district's own codes: the import derives its ids from these again."""

    def short(value: str, prefix: str) -> str:
        return keys.setdefault(value, f"{prefix}{len(keys) + 1:06d}")

    def rows() -> Iterator[dict[str, Any]]:
        district: str | None = None
        for row in table.rows:
            found = dict(row)
            if found.get("kind") == "区":  # the generator makes one per 12 street offices:
                if district is not None:  # one district here, as a district's file has it
                    keys[found["unit_key"]] = keys[district]
                    continue
                district = found["unit_key"]
            for code in ("unit_key", "parent_key"):
                if found.get(code):
                    found[code] = short(found[code], "U")
            if found.get("worker_key"):
                found["worker_key"] = short(found["worker_key"], "")
            yield found

    titles = [h.split(" ")[0] for h in table.headers]  # Chinese headers only, as clerks write
    return Table(table.title, titles, table.columns, rows())


def _as_csv(workbook: Path) -> Path:
    import csv

    from openpyxl import load_workbook

    book = load_workbook(workbook, read_only=True)
    for sheet in book.worksheets:
        target = workbook.with_name(f"{workbook.stem}-{sheet.title.split(' ')[-1]}.csv")
        if target.exists():
            continue
        with target.open("w", encoding="gb18030", newline="") as file:
            writer = csv.writer(file)
            for row in sheet.iter_rows(values_only=True):
                writer.writerow(["" if v is None else _text(v) for v in row])
    book.close()
    return workbook


def _text(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"ledger_bench_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed_import(paths: list[Path]) -> dict[str, Any]:
    with fresh_database() as url:
        ledger, _ = open_ledger(Settings(database_url=url))
        try:
            stages = Stages()
            started = time.monotonic()
            result = import_files(ledger, paths, progress=stages)
            total = time.monotonic() - started
            stages.finish()
            assert result.ok, [p.line() for p in result.problems[:5]]
            again = time.monotonic()
            second = import_files(ledger, paths)
            reimport = time.monotonic() - again
            assert second.counts["events"] == 0
        finally:
            ledger.close()
    counts = result.counts
    return {
        "rows": result.rows,
        "units": counts["units"],
        "workers": counts["workers"],
        "facts": counts["facts"],
        "events": counts["events"],
        "saves": counts["saves"],
        "import_s": round(total, 1),
        **{f"{stage}_s": round(spent, 1) for stage, spent in stages.times.items()},
        "import_events_per_s": round(counts["events"] / total),
        "reimport_nothing_new_s": round(reimport, 1),
    }


def timed_generate(workers: int, years: int) -> dict[str, Any]:
    with fresh_database() as url:
        ledger, _ = open_ledger(Settings(database_url=url))
        try:
            before = ledger.recorder.max_notification_id() or 0
            started = time.monotonic()
            generate(ledger, workers=workers, years=years)
            spent = time.monotonic() - started
            events = (ledger.recorder.max_notification_id() or 0) - before
        finally:
            ledger.close()
    return {"generate_s": round(spent, 1), "generate_events": events}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--csv", action="store_true", help="also import the GB18030 CSV pair")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/import-bench"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    workbook = district_file(args.folder, args.workers, args.years, args.csv)
    result: dict[str, Any] = {"file_mb": round(workbook.stat().st_size / 1e6, 1)}
    result["xlsx"] = timed_import([workbook])
    if args.csv:
        pair = sorted(args.folder.glob(f"{workbook.stem}-*.csv"))
        result["csv_gb18030"] = timed_import(pair)
    # The imports' peak (the file was made by an earlier run, or this one's figure includes
    # the generation in memory); the baseline below runs in this process too.
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if not args.no_baseline:
        result.update(timed_generate(args.workers, args.years))
        result["import_vs_generate"] = round(result["xlsx"]["import_s"] / result["generate_s"], 2)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
