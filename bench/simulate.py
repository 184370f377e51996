"""Simulation benchmark: replaying the history under a draft, against the full rebuild of the
read models measured in the same run on the same history.

    python bench/simulate.py --database-url postgresql://postgres@127.0.0.1/ledger_bench \
        --workers 10000 --years 10

Generates the history if the ledger holds no workers yet (else reuses it), then measures,
each in its own child process so that peak memory is its own:

- the full rebuild of every read model (``bench/rebuild.py``'s measurement);
- ``ledger simulate``'s work for four drafts: the adopted pack itself (nothing differs),
  a higher previous-year wage (pay only: careers are derived once), two-year steps and
  one more grade per education level (careers derived on both sides), every differing
  worker spooled as the CLI does, one process per core, forked;
- with ``--baseline-tree DIR`` (another checkout), each draft with that code too, just
  before this code's, on the same history: ``baseline_seconds`` and ``speedup``;
- with ``--read-models``, each draft also with the read models given (``facts``), as
  ``ledger simulate`` runs: a career-changing draft then reads ``rm_career_facts`` (the
  rebuild above fills it; ``--skip-rebuild`` trusts the read models to be caught up);
- with ``--api``, the same drafts through ``POST /simulations`` (one page of 100 workers),
  whose processes come from a fork server as in the server, the read models caught up:
  ``seconds`` of a second request (the fork server warm), ``first_seconds`` of the first.

Prints one JSON object: seconds, events/s, the ratio to the rebuild, peak RSS of the
simulating process (VmHWM) and of its forked workers (the API's, started by the fork server,
are not its children and read 0). Run it a second time on the generated history for the
rebuild's peak RSS too: Linux keeps ``ru_maxrss`` across exec, so a child started after the
generation reports at least the generating process's peak.
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

from rebuild import _count_workers, _rebuild_in_child

from ledger.runtime import open_ledger
from ledger.settings import Settings
from seed.generate import generate

DRAFTS = ("identical", "wage", "two_year_steps", "education")

CHILD = """
import copy, json, os, resource, sys, tempfile, time
from pathlib import Path
from domain.policy import load_document
from ledger.runtime import build_ledger
from ledger.settings import Settings
from projections.simulation import Draft, simulate

def peak_mb():
    # VmHWM belongs to this process image; ru_maxrss would carry the parent's over exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

def draft(name):
    document = copy.deepcopy(load_document("baohe-2020"))
    document.pop("effective_from")
    if name == "wage":
        document["parameters"]["average_wages"]["value"] = {"2019": "42000"}
    elif name == "two_year_steps":
        document["parameters"]["step_years"]["value"] = 2
    elif name == "education":  # a career-changing education rule: one more grade per level
        bonus = document["parameters"]["education_bonus"]["value"]
        document["parameters"]["education_bonus"]["value"] = {
            level: grades + 1 if grades else 0 for level, grades in bonus.items()
        }
    return document

if __name__ == "__main__":
    url, name, mode = sys.argv[1:4]
    first_seconds = None  # the API's first request (a cold fork server); the CLI has one
    ledger = build_ledger(Settings(database_url=url))
    chosen = Draft.from_document(draft(name))
    started = time.monotonic()
    if mode in ("cli", "facts"):
        # "facts": with the read models, as ``ledger simulate`` runs (caught up, a
        # career-changing draft reads rm_career_facts); "cli": the events alone.
        from projections.sql import ReadStore
        store = ReadStore(url) if mode == "facts" else None
        with tempfile.TemporaryDirectory() as folder:
            outcome = simulate(ledger, chosen, "2016-01", "2025-12", spool_dir=Path(folder),
                               processes=os.cpu_count() or 1, store=store)
            spooled = sum(f.stat().st_size for f in Path(folder).iterdir())
            written = sum(1 for _ in outcome.workers())
    else:
        from fastapi.testclient import TestClient
        from api.app import create_app
        from domain.vocabulary import Role
        # The projector runs in this process, as in a single server: the token written
        # below is projected before the request, which then finds the read models at the
        # head. (With an external projector not running, every request waited out
        # ``read_wait_seconds`` for it and replayed the events instead.)
        app = create_app(Settings(database_url=url, projector="in-process"))
        with TestClient(app) as client:
            token = app.state.ledger.create_token("bench", Role.REPORTER)
            app.state.read_models.fresh()
            # The first request starts the fork server (it imports the code once); the
            # second finds it warm, as every later request of a running server does.
            for attempt in ("first", "warm"):
                started = time.monotonic()
                answer = client.post(
                    "/api/v1/simulations?limit=100",
                    json={"policy": draft(name), "from_month": "2016-01", "to_month": "2025-12"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert answer.status_code == 200, answer.text
                if attempt == "first":
                    first_seconds = time.monotonic() - started
            outcome = None
            written = len(answer.json()["items"])
            spooled = len(answer.content)
    elapsed = time.monotonic() - started
    print(json.dumps({
        "seconds": elapsed,
        "first_seconds": first_seconds,
        "events": outcome.events_read if outcome else None,
        "workers_written": written,
        "career_facts": outcome.career_facts if outcome else None,  # the API answers no outcome
        "bytes": spooled,
        "peak_rss_mb": peak_mb(),
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        # CPU of this process and its forked workers, whatever else the machine runs.
        "cpu_seconds": sum(
            resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        ),
    }))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--drafts", nargs="*", default=list(DRAFTS), choices=DRAFTS)
    parser.add_argument("--api", action="store_true", help="also through POST /simulations")
    parser.add_argument(
        "--read-models",
        action="store_true",
        help="also with the read models (rebuilt first), as ledger simulate runs",
    )
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--baseline-tree", help="a checkout whose simulation is measured too")
    args = parser.parse_args()
    settings = Settings(database_url=args.database_url)
    ledger, _ = open_ledger(settings)
    if not _count_workers(ledger):
        started = time.monotonic()
        generate(ledger, workers=args.workers, years=args.years, seed=args.seed)
        print(f"generated in {time.monotonic() - started:.1f} s", file=sys.stderr)
    events = ledger.recorder.max_notification_id() or 0
    ledger.close()

    result: dict[str, Any] = {
        "database": args.database_url.split(":")[0],
        "events": events,
        "processes": os.cpu_count(),
    }
    if not args.skip_rebuild:
        result.update(_rebuild_in_child(args.database_url))
    modes = ["cli", *(["facts"] if args.read_models else []), *(["api"] if args.api else [])]
    for name in args.drafts:
        for mode in modes:
            base = None
            if args.baseline_tree:
                base = _simulate_in_child(args.database_url, name, mode, args.baseline_tree)
            found = _simulate_in_child(args.database_url, name, mode)
            key = f"{mode}_{name}"
            result[key] = found
            if "rebuild_seconds" in result:
                found["vs_rebuild"] = found["seconds"] / result["rebuild_seconds"]
            found["events_per_s"] = events / found["seconds"]
            if base:
                found["baseline_seconds"] = base["seconds"]
                found["baseline_workers_written"] = base["workers_written"]
                found["speedup"] = base["seconds"] / found["seconds"]
                found["baseline_cpu_seconds"] = base["cpu_seconds"]
                found["cpu_speedup"] = base["cpu_seconds"] / found["cpu_seconds"]
            print(f"{key}: {found['seconds']:.1f} s", file=sys.stderr)
    print(json.dumps(result, indent=2))


def _simulate_in_child(
    database_url: str, name: str, mode: str, tree: str | None = None
) -> dict[str, Any]:
    """One draft's simulation in a child process; ``tree``: of the code checked out there."""
    env = {**os.environ, "PYTHONPATH": tree} if tree else None
    done = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, name, mode],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
