"""Pay-only what-if benchmark: a draft that changes pay alone, priced set-wise from the read
models, against baselines measured in the same run on the same history.

    python bench/simulate_pay.py --database-url postgresql://postgres@127.0.0.1/ledger_copy

The ledger must hold a history (``ledger generate``); ``--rebuild`` rebuilds its read models
first (the set-wise path reads them) and reports that rebuild too. Then, each in its own
child process so that its time and peak memory are its own:

- **raw read**: a plain SQL read of every row of the events table (``bench/rebuild.py``'s
  baseline, through the rebuild's own reader);
- **replay**: the path every draft took before, ``simulate`` without the read models,
  replaying the whole history in one forked process per core; ``page`` is what
  ``POST /simulations?limit=100`` computes (the summary and one page of workers);
- **set-wise**: the same draft and answer with the read models (``page``), and the summary
  with every differing worker read back as ``ledger simulate --json/--csv`` reads them
  (``all``).

The drafts: ``wage`` (a higher 2019 average wage: every paid worker differs) and
``coefficients`` (the officer's coefficients 5 % higher: a quarter or so differ). Each
set-wise answer is checked against the replay's, as JSON, in the same run (``agrees``).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rebuild import _raw_read, _rebuild_in_child

from ledger.runtime import open_ledger
from ledger.settings import Settings

DRAFTS = ("wage", "coefficients")
FROM, TO = "2016-01", "2025-12"

CHILD = """
import copy, hashlib, json, os, resource, sys, tempfile, time
from decimal import Decimal
from pathlib import Path
from domain.policy import load_document
from ledger.runtime import build_ledger
from ledger.settings import Settings
from projections.simulation import Draft, report, simulate
from projections.sql import ReadStore

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

def draft(name):
    document = copy.deepcopy(load_document("baohe-2020"))
    document.pop("effective_from")
    parameters = document["parameters"]
    if name == "wage":
        parameters["average_wages"]["value"] = {"2019": "42000"}
    elif name == "coefficients":
        table = parameters["pay_coefficients"]["value"]["officer"]
        for grade, value in table.items():
            table[grade] = str((Decimal(value) * Decimal("1.05")).quantize(Decimal("0.0001")))
    return Draft.from_document(document)

def digest(value):
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()

if __name__ == "__main__":
    url, name, path, mode = sys.argv[1:5]
    ledger = build_ledger(Settings(database_url=url))
    store = ReadStore(url) if path == "setwise" else None
    chosen = draft(name)
    processes = os.cpu_count() or 1
    started = time.monotonic()
    if mode == "page":
        outcome = simulate(ledger, chosen, FROM, TO, limit=100, store=store, processes=processes)
        answer = {
            **report.summary(outcome, chosen.describe()),
            "items": [report.worker(found) for found in outcome.items],
            "next_cursor": outcome.next_cursor,
        }
        json.dumps(answer, ensure_ascii=False)  # what the API sends
        workers = len(outcome.items)
    else:
        with tempfile.TemporaryDirectory() as folder:
            outcome = simulate(ledger, chosen, FROM, TO, spool_dir=Path(folder), store=store,
                               processes=processes)
            answer = report.summary(outcome, chosen.describe())
            hashed = hashlib.sha256()
            workers = 0
            for found in outcome.workers():
                hashed.update(json.dumps(report.worker(found), sort_keys=True).encode())
                workers += 1
            answer["workers_digest"] = hashed.hexdigest()
    elapsed = time.monotonic() - started
    assert outcome.setwise == (path == "setwise"), "the path asked for"
    print(json.dumps({
        "seconds": elapsed,
        "workers_affected": answer["totals"]["workers_affected"],
        "workers_answered": workers,
        "answer_digest": digest(answer),
        "peak_rss_mb": peak_mb(),
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))
""".replace("FROM, TO", f"{FROM!r}, {TO!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--drafts", nargs="*", default=list(DRAFTS), choices=DRAFTS)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the read models first")
    parser.add_argument("--all", action="store_true", help="also every worker (CLI --json)")
    parser.add_argument("--repeat", type=int, default=3, help="set-wise runs per draft")
    args = parser.parse_args()
    ledger, _ = open_ledger(Settings(database_url=args.database_url))
    events = ledger.recorder.max_notification_id() or 0
    table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
    ledger.close()

    result: dict[str, Any] = {"database": args.database_url.split(":")[0], "events": events}
    if args.rebuild:
        result.update(_rebuild_in_child(args.database_url))
        _say(f"rebuild: {result['rebuild_seconds']:.1f} s")
    _say(f"load average before: {os.getloadavg()}")
    started = time.monotonic()
    rows_per_s = _raw_read(args.database_url, table)
    result["raw_read_seconds"] = time.monotonic() - started
    result["raw_read_rows_per_s"] = rows_per_s
    _say(f"raw read: {result['raw_read_seconds']:.2f} s")
    modes = ["page", "all"] if args.all else ["page"]
    for name in args.drafts:
        for mode in modes:
            runs = [_child(args.database_url, name, "setwise", mode) for _ in range(args.repeat)]
            best = min(runs, key=lambda run: run["seconds"])
            _say(f"{name} {mode} set-wise: {[round(r['seconds'], 2) for r in runs]} s")
            replay = _child(args.database_url, name, "replay", mode)
            _say(f"{name} {mode} replay: {replay['seconds']:.1f} s")
            result[f"{name}_{mode}"] = {
                "replay": replay,
                "setwise": best,
                "setwise_seconds_each": [r["seconds"] for r in runs],
                "agrees": all(r["answer_digest"] == replay["answer_digest"] for r in runs),
                "setwise_vs_replay": best["seconds"] / replay["seconds"],
                "setwise_vs_raw_read": best["seconds"] / result["raw_read_seconds"],
            }
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result, indent=2))


def _child(database_url: str, name: str, path: str, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, name, path, mode],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
