"""Policy simulation: every worker's history replayed under the adopted policy and under a
draft, compared month by month. Nothing is written to the ledger or to the read models.

What stays and what is derived again (docs/simulation.md):

- **recorded facts stay**: hires, appraisals and their corrections, grade changes made by
  people, post changes, transfers, education, certificates, dismissals;
- **derived facts are derived again, on both sides**: the recorded three-year steps
  (``GradeStepped``) are dropped and the steps each side's schedule makes due are applied
  on their dates (after any recorded fact of the same date, as ``step_clock`` judges them);
  an initial grade the policy gave at hire is worked out again;
- **everything computed follows**: grades after education upgrades and post changes, the
  promotion and dismissal flags, pay, its city and local shares, the computed quota.

Both sides go through the very same derivation, so a draft identical to the adopted policy
gives no difference at all, even where the ledger holds a due step nobody recorded yet.

The draft is in force from its document's ``effective_from`` when it has one (the adopted
versions govern before that date; from it on the draft alone, replacing later adoptions,
since a policy document is the whole policy), and from the start otherwise.

The events are streamed as the fast rebuild streams them (``projections.stream``): one
aggregate at a time, each id range in its own forked process, so memory holds one worker,
the per-unit and per-month sums, and at most one page of differing workers per process;
with every differing worker wanted, each process writes them to its own spool file and the
files are read back in id order. With the read models caught up, each id range's workers
are read instead from their recorded facts kept in ``rm_career_facts`` (``career_facts``):
no event is decoded, no aggregate rebuilt.

One module per concern: ``draft`` (the two schedules), ``careers`` (one worker under one
schedule), ``pricing``, ``results`` (what a comparison answers and the sums),
``comparison``, ``run`` (over the event store, in processes, spooled), ``career_facts``
and ``setwise`` (from the read models), ``scope`` (the units covered) and ``report`` (the
answer as JSON and CSV).
"""

from __future__ import annotations

from projections.simulation.comparison import Comparison
from projections.simulation.draft import Draft, draft_effective_date, draft_schedule
from projections.simulation.pricing import Priced
from projections.simulation.results import (
    CHANGE_LABELS,
    FLAG_LABELS,
    FlagChange,
    GradeStretch,
    PayStretch,
    Sums,
    UnitInfo,
    WorkerDifference,
)
from projections.simulation.run import Outcome, simulate, spool_folder
from projections.simulation.scope import simulation_root, subtree

__all__ = [
    "CHANGE_LABELS",
    "FLAG_LABELS",
    "Comparison",
    "Draft",
    "FlagChange",
    "GradeStretch",
    "Outcome",
    "PayStretch",
    "Priced",
    "Sums",
    "UnitInfo",
    "WorkerDifference",
    "draft_effective_date",
    "draft_schedule",
    "simulate",
    "simulation_root",
    "spool_folder",
    "subtree",
]
