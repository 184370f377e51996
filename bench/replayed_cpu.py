"""CPU per worker of the rebuild's derivation of a worker's career for the rules and the
replayed-pay models: the states (``derived.worker_states``), the clock of the last one
(``derived.last_clock``, remembered) and the replayed career with its paid stretches
(``replayed.replayed_career``), as a rebuild calls them one worker after another.

    python bench/career_cpu.py dump --database-url URL --out workers.pickle
    python bench/replayed_cpu.py workers.pickle
    PYTHONPATH=/another/checkout python bench/replayed_cpu.py workers.pickle

Run it alternately with another checkout's code for a baseline (the machine is shared).
"""

from __future__ import annotations

import gc
import pickle
import sys
import time
from pathlib import Path

from projections.models import derived
from projections.models.derived import last_clock, worker_states
from projections.models.replayed import replayed_career


def main() -> None:
    schedule, workers, _ = pickle.loads(Path(sys.argv[1]).read_bytes())
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    facts_lists = [list(facts) for _, _, facts in workers]
    gc.collect()
    gc.freeze()  # the workers' facts, live through the run: not walked again and again
    best = float("inf")
    for _ in range(repeat):
        derived._last = derived._clock = None  # nothing remembered from the last run
        started = time.process_time()
        for facts in facts_lists:
            last_clock(worker_states(facts, schedule), schedule)
            replayed_career(facts, schedule)
        best = min(best, time.process_time() - started)
    print(f"{derived.__file__}: {best / len(facts_lists) * 1e6:.1f} us/worker")


if __name__ == "__main__":
    main()
