"""The read models the projector keeps. Add a model here to have it projected and rebuilt."""

from __future__ import annotations

from projections.models.activity import UNIT_ACTIVITY, WORKER_ACTIVITY
from projections.models.career_facts import CAREER_FACTS_MODEL
from projections.models.payroll import PAYROLL
from projections.models.replayed import REPLAYED_PAY_MODEL, UNIT_QUOTA_MODEL
from projections.models.rules import RULES
from projections.models.units import UNITS
from projections.models.workers import HISTORY, ROSTER
from projections.tables import ReadModel

MODELS: tuple[ReadModel, ...] = (
    ROSTER,
    HISTORY,
    CAREER_FACTS_MODEL,
    UNITS,
    RULES,
    PAYROLL,
    WORKER_ACTIVITY,
    UNIT_ACTIVITY,
    # Last: it derives another career, which the others' remembered states must not follow.
    REPLAYED_PAY_MODEL,
    UNIT_QUOTA_MODEL,
)
