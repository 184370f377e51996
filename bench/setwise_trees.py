"""The set-wise pay-only page alone (``simulate()`` with the read models, no answer JSON),
timed with whatever tree is on PYTHONPATH: run it once per tree, alternating, to compare
two checkouts on the same read models.

    PYTHONPATH=<tree> python bench/setwise_trees.py <database url> <runs>
"""

from __future__ import annotations

import copy
import json
import sys
import time

import projections
from domain.policy import load_document
from ledger.runtime import build_ledger
from ledger.settings import Settings
from projections.simulation import Draft, simulate
from projections.sql import ReadStore


def main() -> None:
    url, runs = sys.argv[1], int(sys.argv[2])
    document = copy.deepcopy(load_document("baohe-2020"))
    document.pop("effective_from")
    document["parameters"]["average_wages"]["value"] = {"2019": "42000"}  # the wage draft
    ledger = build_ledger(Settings(database_url=url))
    store = ReadStore(url)
    times = []
    for _ in range(runs):
        started = time.monotonic()
        outcome = simulate(
            ledger, Draft.from_document(document), "2016-01", "2025-12", limit=100, store=store
        )
        times.append(round(time.monotonic() - started, 2))
        assert outcome.setwise, "the read models are not caught up: nothing set-wise to time"
    tree = projections.__file__
    print(json.dumps({"tree": tree, "seconds": times, "affected": outcome.sums.affected}))


if __name__ == "__main__":
    main()
