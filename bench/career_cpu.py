"""CPU per worker of ``Comparison.career`` alone (no decoding), for one draft.

    python bench/career_cpu.py dump --database-url URL --out workers.pickle
    python bench/career_cpu.py time workers.pickle two_year_steps --check answers.pickle

``dump`` reads every worker's facts (and the units) once, through the stream the
simulation reads; ``time`` compares them all, best CPU seconds of ``--repeat`` runs after
one warm-up (the pricers' caches filled, as in a long run). Run ``time`` with
``PYTHONPATH=/another/checkout`` for a baseline on the same pickle, alternating with this
tree's (the machine is shared), and ``--check`` both to compare the answers (equal pickles).
Drafts as bench/simulate.py makes them.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulate import CHILD

from domain.unit import Unit
from domain.worker import Worker
from ledger.runtime import build_ledger
from ledger.settings import Settings
from projections import stream
from projections.simulation import Draft, draft_schedule
from projections.simulation.comparison import Comparison
from projections.simulation.results import Sums


def dump(url: str, out: Path) -> None:
    ledger = build_ledger(Settings(database_url=url))
    head = ledger.recorder.max_notification_id() or 0
    workers: list[tuple[str, str, list[Any]]] = []
    units: list[Unit] = []
    for _, events in stream.aggregates(ledger, head, None, None):
        found = stream.reconstruct(events) if events else None
        if isinstance(found, Worker):
            workers.append((str(found.id), found.person.name, list(found.facts)))
        elif isinstance(found, Unit):
            units.append(found)
    out.write_bytes(pickle.dumps((ledger.schedule(), workers, units)))
    print(f"{len(workers)} workers, {len(units)} units")


def draft_document(name: str) -> dict[str, Any]:
    """bench/simulate.py's draft of that name (its child's code defines them)."""
    scope: dict[str, Any] = {}
    exec(CHILD.split('if __name__ == "__main__":')[0], scope)
    document: dict[str, Any] = scope["draft"](name)
    return document


def measure(path: Path, name: str, repeat: int, check: Path | None) -> None:
    schedule, workers, units = pickle.loads(path.read_bytes())
    chosen = Draft.from_document(draft_document(name))
    comparison = Comparison(
        schedule, draft_schedule(schedule, chosen.policy, chosen.effective), "2016-01", "2025-12"
    )

    def run() -> tuple[Sums, list[Any]]:
        sums = Sums(comparison.last_month - comparison.first_month + 1)
        for unit in units:
            comparison.unit(unit, sums)
        return sums, [comparison.career(w, n, facts, sums) for w, n, facts in workers]

    run()
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        sums, found = run()
        best = min(best, time.process_time() - started)
    if check:
        check.write_bytes(pickle.dumps((sums.__dict__, found)))
    print(
        f"{name}: {best:.3f} s CPU for {len(workers)} workers = "
        f"{best / len(workers) * 1e6:.0f} us/worker; differing {sum(1 for f in found if f)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    reading = commands.add_parser("dump")
    reading.add_argument("--database-url", required=True)
    reading.add_argument("--out", type=Path, required=True)
    timing = commands.add_parser("time")
    timing.add_argument("pickle", type=Path)
    timing.add_argument("draft", choices=("identical", "wage", "two_year_steps", "education"))
    timing.add_argument("--repeat", type=int, default=2)
    timing.add_argument("--check", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.database_url, args.out)
    else:
        measure(args.pickle, args.draft, args.repeat, args.check)


if __name__ == "__main__":
    main()
