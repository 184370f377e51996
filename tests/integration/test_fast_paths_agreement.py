"""The faster paths of the rebuild and the simulation agree with the domain's own derivation
on hypothesis-made histories, under every shipped policy pack (and a two-year step rule);
the simulation's comparison of one career agrees with both sides derived in full, for
career-changing drafts of every pack.

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
from domain.rules import step_clock, step_clock_with_states
from domain.timeline import states, states_with
from projections.models.payroll import pay_periods
from projections.models.replayed import replayed_career, replayed_facts
from projections.simulation.careers import with_steps
from projections.simulation.comparison import Comparison
from projections.simulation.results import Sums
from tests.integration.test_properties import SETTINGS, UNITS, commands, hires, history
from tests.unit.builders import document, rank_mapping, schedule

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
def test_the_states_the_step_clock_hands_back_are_the_states_of_the_timeline_with_its_steps(
    name: str, spec: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> None:
    """``step_clock_with_states`` carries the states forward through the steps it finds
    due: the same states, with the same facts, as ``states`` derives from the whole
    timeline and ``states_with`` from the first step on, and the same clock."""
    chosen = SCHEDULES[name]
    recorded = history(spec, sequence).facts
    kept = [f for f in in_pack_posts(recorded, chosen) if not isinstance(f, GradeStepFact)]
    base = states(kept, chosen)

    clock, handed = step_clock_with_states(base[-1][1], chosen, base)

    derived = with_steps(kept, clock.due)
    expected = states(derived, chosen)
    assert clock == step_clock(base[-1][1], chosen)
    assert handed == expected == states_with(base, derived[len(kept) :], chosen)
    assert [state.facts for _, state in handed] == [state.facts for _, state in expected]


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


def career_changing(pack: str) -> dict[str, dict[str, Any]]:
    """Drafts of ``pack`` that change careers, as bench/simulate.py's do: another step rule
    (two years; three where the pack has two), one more grade per education level (or two
    more years counted, where education counts as service), and a step rule with a
    promotion rule besides (the flags then differ too)."""
    parameters = document(pack)["parameters"]
    steps = 3 if parameters["step_years"]["value"] == 2 else 2
    drafts: dict[str, dict[str, Any]] = {
        "steps": {"step_years": steps},
        "steps and flags": {"step_years": steps, "promotion_excellent_years": 2},
    }
    if "education_bonus" in parameters:
        bonus = parameters["education_bonus"]["value"]
        drafts["education"] = {
            "education_bonus": {level: n + 1 if n else 0 for level, n in bonus.items()}
        }
    else:
        years = parameters["education_service_years"]["value"]
        drafts["education"] = {
            "education_service_years": {level: n + 2 if n else 0 for level, n in years.items()}
        }
    return drafts


COMPARED = [
    (pack, name, changes)
    for pack in shipped_packs()
    for name, changes in sorted(career_changing(pack).items())
]


@pytest.mark.parametrize(("pack", "name", "changes"), COMPARED)
@pytest.mark.parametrize("scoped", [False, True])
@SETTINGS
@given(spec=hires, sequence=st.lists(commands, min_size=10, max_size=40))
def test_a_career_compared_with_the_shortcuts_equals_both_sides_derived_in_full(
    pack: str,
    name: str,
    changes: dict[str, Any],
    scoped: bool,
    spec: dict[str, Any],
    sequence: list[tuple[Any, ...]],
) -> None:
    """``Comparison.career``'s shortcuts (the recorded facts' states shared, the states
    both sides hold alike skipped, the flags judged once) change no sum and no difference:
    with ``shortcuts=False`` each side is derived from its own replay in full."""
    adopted = schedule(pack)
    draft = schedule(pack, **changes)
    facts = in_pack_posts(history(spec, sequence).facts, adopted)
    scope = frozenset({str(UNITS[0])}) if scoped else None
    found = []
    for shortcuts in (True, False):
        comparison = Comparison(adopted, draft, "2016-01", "2025-12", scope, shortcuts=shortcuts)
        sums = Sums(comparison.last_month - comparison.first_month + 1)
        found.append((comparison.career("w", "名", facts, sums), sums))
    (fast, fast_sums), (full, full_sums) = found
    assert fast == full
    assert fast_sums == full_sums
