"""The faster paths of the rebuild and the simulation agree with the domain's own derivation
on hypothesis-made histories, under every shipped policy pack (and a two-year step rule).

``domain.timeline.states_with`` continues a worker's states from the first date a list of
appended facts (the steps the rules make due) takes effect; it must give exactly what
``states`` derives from the whole timeline.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.facts import Fact, GradeStepFact, HireFact, PostChangeFact
from domain.policy import PolicySchedule, shipped_packs
from domain.rules import step_clock
from domain.timeline import states, states_with
from projections.models.payroll import pay_periods
from projections.models.replayed import replayed_career, replayed_facts
from projections.simulation.careers import with_steps
from tests.integration.test_properties import SETTINGS, commands, hires, history
from tests.unit.builders import rank_mapping, schedule

SCHEDULES = {
    **{pack: schedule(pack) for pack in shipped_packs()},
    "two-year steps": schedule(step_years=2),
}


def in_pack_posts(facts: list[Fact], chosen: PolicySchedule) -> list[Fact]:
    """The histories are made with the four default posts; a pack with posts of its own gets
    them by rank, as an adoption's mapping would place them."""
    by_rank = rank_mapping(chosen.versions[0].policy.post_codes)
    if not by_rank:
        return facts
    return [
        replace(f, post=by_rank[f.post]) if isinstance(f, HireFact | PostChangeFact) else f
        for f in facts
    ]


@pytest.mark.parametrize("name", sorted(SCHEDULES))
@SETTINGS
@given(spec=hires, sequence=st.lists(commands, min_size=10, max_size=40))
def test_states_continued_past_the_steps_made_due_are_the_states_of_the_whole_timeline(
    name: str, spec: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> None:
    chosen = SCHEDULES[name]
    recorded = history(spec, sequence).facts
    kept = [f for f in in_pack_posts(recorded, chosen) if not isinstance(f, GradeStepFact)]
    base = states(kept, chosen)
    due = step_clock(base[-1][1], chosen).due
    derived = with_steps(kept, due)

    assert states_with(base, derived[len(kept) :], chosen) == states(derived, chosen)
    assert step_clock(base[-1][1], chosen, base).due == due


@pytest.mark.parametrize("name", sorted(SCHEDULES))
@SETTINGS
@given(spec=hires, sequence=st.lists(commands, min_size=10, max_size=40))
def test_the_replayed_pay_model_derives_the_careers_replayed_facts_make(
    name: str, spec: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> None:
    """``replayed_career`` (the model's path, sharing the recorded career's states and
    clock) against ``replayed_facts`` and a whole replay of the career they make, for
    workers with and without recorded steps (the histories record some)."""
    chosen = SCHEDULES[name]
    recorded = in_pack_posts(history(spec, sequence).facts, chosen)
    expected = replayed_facts(recorded, chosen)

    derived, periods = replayed_career(recorded, chosen)

    assert list(derived) == expected
    assert periods == pay_periods(expected, chosen, states(expected, chosen))
