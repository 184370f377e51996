"""What a simulation pays to learn whether the read models can answer for it, before the
marker row and now, on the same database in the same run.

    python bench/readiness.py --database-url postgresql://postgres@127.0.0.1/moment_district

- ``counted`` (before): the head, the position, then COUNT(*) of ``rm_workers`` against
  ``rm_replayed_workers`` (set-wise) and against the hire rows of ``rm_career_facts``
  (the career facts): what ``setwise.ready`` and ``career_facts.ready`` ran.
- ``marked`` (now): ``moment.moment`` and ``moment.ready``: the head, the table's
  existence and one lookup of two position rows, in one snapshot.

Alternating runs; prints the median seconds of each and their ratio as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from projections.projector import NAME
from projections.simulation.moment import moment, ready
from projections.sql import ReadStore


def counted(ledger: Ledger, store: ReadStore) -> bool:
    head = ledger.recorder.max_notification_id() or 0
    with store.transaction() as tx:
        found = tx.query("SELECT position FROM rm_position WHERE projection = %s", (NAME,))
        if not found or int(found[0][0]) < head:
            return False
        workers, replayed = tx.query(
            "SELECT (SELECT COUNT(*) FROM rm_workers), (SELECT COUNT(*) FROM rm_replayed_workers)"
        )[0]
    with store.transaction() as tx:
        workers, hired = tx.query(
            "SELECT (SELECT COUNT(*) FROM rm_workers),"
            " (SELECT COUNT(*) FROM rm_career_facts WHERE seq = 1)"
        )[0]
    return bool(workers == replayed == hired)


def marked(ledger: Ledger, store: ReadStore) -> bool:
    with moment(ledger, store) as (tx, head):
        return ready(tx, head)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ledger = Ledger(env=store_environment(args.database_url))
    store = ReadStore(args.database_url)
    times: dict[str, list[float]] = {"counted": [], "marked": []}
    answers = {}
    try:
        for _ in range(args.runs):
            for name, check in (("counted", counted), ("marked", marked)):
                start = time.perf_counter()
                answers[name] = check(ledger, store)
                times[name].append(time.perf_counter() - start)
    finally:
        store.close()
        ledger.close()
    medians = {name: statistics.median(found) for name, found in times.items()}
    print(
        json.dumps(
            {
                "ready": answers,
                "median_seconds": medians,
                "min_seconds": {name: min(found) for name, found in times.items()},
                "ratio": medians["counted"] / medians["marked"],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
