"""What a policy adoption costs the projector, against a full rebuild measured in the same run.

    python bench/adoption.py --database-url sqlite:///./adoption.db --workers 1000 --years 10

Generates the history if the ledger holds no workers yet, catches the read models
up, then measures, each in one process (the projector of ``ledger serve``):
(a) the full rebuild of every read model (the baseline), (b) projecting one
ordinary write (a token issue: no worker touched), (c) projecting a policy
adoption, which re-derives every read model in the batch's transaction (ADR 11).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from datetime import date

from domain.access import Actor
from domain.policy import load_document
from domain.vocabulary import Role
from ledger.commands import Context
from ledger.runtime import open_ledger
from ledger.settings import Settings
from projections.projector import Projector
from projections.sql import ReadStore
from seed.generate import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=1000)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    ledger, _ = open_ledger(Settings(database_url=args.database_url))
    if (ledger.recorder.max_notification_id() or 0) < 10:  # a fresh ledger: bootstrap only
        generate(ledger, workers=args.workers, years=args.years)
    store = ReadStore(args.database_url)
    projector = Projector(ledger, store)
    projector.catch_up()
    head = ledger.recorder.max_notification_id() or 0

    started = time.perf_counter()
    projector.rebuild(processes=1)
    rebuild = time.perf_counter() - started

    ledger.create_token("bench", Role.REPORTER)
    started = time.perf_counter()
    projector.catch_up()
    ordinary = time.perf_counter() - started

    latest = max(v["effective_date"] for v in ledger.policy_versions())
    effective = date(max(latest.year, date.today().year) + 1, 1, 1)
    document = copy.deepcopy(load_document("baohe-2020"))
    document["parameters"]["average_wages"]["value"][str(effective.year - 1)] = "48000"
    admin = Context(actor=Actor("bench", Role.ADMIN), request_id="bench-adoption")
    ledger.adopt_policy(admin, document, effective, f"bench {effective.year}")
    started = time.perf_counter()
    projector.catch_up()
    adoption = time.perf_counter() - started

    print(
        json.dumps(
            {
                "database": args.database_url.split(":", 1)[0],
                "events": head,
                "rebuild_s": round(rebuild, 2),
                "ordinary_batch_s": round(ordinary, 3),
                "adoption_batch_s": round(adoption, 2),
                "adoption_over_rebuild": round(adoption / rebuild, 2),
            }
        )
    )
    store.close()
    ledger.close()


if __name__ == "__main__":
    main()
