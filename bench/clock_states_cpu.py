"""CPU per worker side of the step clock and the states with its steps, both ways, in one
process: ``step_clock`` then ``states_with`` (the states from the first due step derived
again) against ``step_clock_with_states`` (the clock's forward pass keeps them).

    python bench/career_cpu.py dump --database-url URL --out workers.pickle
    python bench/clock_states_cpu.py workers.pickle --draft two_year_steps

Under the adopted schedule, then the draft's: each worker's recorded facts (steps dropped, as
a simulation keeps them) and their states are prepared, both ways are checked to give the
same states, and each runs over every worker, alternating; the best of ``--repeat`` runs is
reported with the ratio.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from career_cpu import draft_document

from domain.facts import Fact
from domain.policy import PolicySchedule
from domain.rules import step_clock, step_clock_with_states
from domain.timeline import WorkerState, states, states_with
from projections.simulation import Draft, draft_schedule
from projections.simulation.careers import recorded_facts, with_steps

Prepared = list[tuple[list[Fact], list[tuple[date, WorkerState]]]]


def twice(prepared: Prepared, schedule: PolicySchedule, keep: bool = False) -> list[object]:
    """The clock, then ``states_with`` from its first due step (before the clock kept them).
    The states are dropped unless ``keep`` (held, they would make the collector's passes
    longer as the run goes on)."""
    found: list[object] = []
    for kept, base in prepared:
        due = step_clock(base[-1][1], schedule, base).due
        changes = states_with(base, with_steps(kept, due)[len(kept) :], schedule)
        if keep:
            found.append(changes)
    return found


def once(prepared: Prepared, schedule: PolicySchedule, keep: bool = False) -> list[object]:
    found: list[object] = []
    for _, base in prepared:
        _, changes = step_clock_with_states(base[-1][1], schedule, base)
        if keep:
            found.append(changes)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pickle", type=Path)
    parser.add_argument("--draft", default="two_year_steps")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    schedule, workers, _ = pickle.loads(args.pickle.read_bytes())
    chosen = Draft.from_document(draft_document(args.draft))
    draft = draft_schedule(schedule, chosen.policy, chosen.effective)
    ways: dict[str, Callable[[Prepared, PolicySchedule], list[object]]] = {
        "twice": twice,
        "once": once,
    }
    for name, side in (("adopted", schedule), ("draft", draft)):
        prepared: Prepared = []
        for _, _, facts in workers:
            kept = recorded_facts(facts, side)
            prepared.append((kept, states(kept, side)))
        assert twice(prepared, side, keep=True) == once(prepared, side, keep=True)
        # The prepared states are millions of objects the collector would walk again and
        # again, at a rate set by each way's allocations: set aside, as a run's live data.
        gc.collect()
        gc.freeze()
        best = dict.fromkeys(ways, float("inf"))
        for _ in range(args.repeat):
            for way, run in ways.items():
                started = time.process_time()
                run(prepared, side)
                best[way] = min(best[way], time.process_time() - started)
        per = {way: seconds / len(prepared) * 1e6 for way, seconds in best.items()}
        print(
            f"{name} ({args.draft}): clock then states_with {per['twice']:.1f} us/worker, "
            f"step_clock_with_states {per['once']:.1f} us/worker, "
            f"ratio {best['twice'] / best['once']:.2f}"
        )


if __name__ == "__main__":
    main()
