"""Simulation: the whole history replayed under a draft policy and compared with the adopted one.

Recorded facts stay, derived ones are derived again on both sides. The expectations here
are worked out from the recorded facts by hand (the rules as DOMAIN.md states them), not
with the engine's code.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.policy import load_document
from domain.vocabulary import Post, Rating
from ledger.application import Ledger
from ledger.commands import ApplySteps
from projections.simulation import (
    Comparison,
    Draft,
    Outcome,
    Sums,
    WorkerDifference,
    draft_schedule,
    report,
    simulate,
    spool_folder,
)
from seed.generate import generate
from tests.integration.application_support import (
    appraise,
    as_,
    build_tree,
    dismiss,
    event_log,
    hire,
    worker_id,
)
from tests.stores import DATABASE_STORES

QUALIFYING = {Rating.EXCELLENT, Rating.COMPETENT}
C, BC, E, U = Rating.COMPETENT, Rating.BASICALLY_COMPETENT, Rating.EXCELLENT, Rating.UNQUALIFIED


def draft(change: Any = None, *, keep_effective_from: bool = False) -> Draft:
    document = copy.deepcopy(load_document("baohe-2020"))
    if not keep_effective_from:
        document.pop("effective_from", None)
    if change:
        change(document["parameters"])
    return Draft.from_document(document)


def run(ledger: Ledger, chosen: Draft, first: str, last: str, **options: Any) -> Outcome:
    options.setdefault("limit", 1000)
    return simulate(ledger, chosen, first, last, **options)


# -- a draft identical to the adopted policy ----------------------------------------------
def test_a_draft_identical_to_the_adopted_policy_yields_no_difference(ledger: Ledger) -> None:
    generate(ledger, workers=40, years=6, seed=7)
    before = event_log(ledger)

    outcome = run(ledger, draft(keep_effective_from=True), "2016-01", "2021-12")
    summary = report.summary(outcome, {})

    assert outcome.items == []
    assert outcome.sums.compared > 40  # everyone ever paid, replacements included
    assert outcome.sums.affected == 0
    assert summary["totals"]["difference"] == {
        "total": "0.00",
        "city_share": "0.00",
        "local_share": "0.00",
    }
    assert Decimal(summary["totals"]["adopted"]["total"]) > 0
    assert all(m["difference"]["total"] == "0.00" for m in summary["months"])
    assert event_log(ledger) == before  # nothing recorded


def test_both_sides_are_derived_alike_even_without_the_shortcuts(ledger: Ledger) -> None:
    """With every step, grade and flag derived separately on each side (no career shared
    between them), an identical draft still changes nothing, and each kind of draft gives
    the same answer as with the shortcuts (careers derived once when only pay changes,
    the recorded facts replayed once when only the step rule or the flag rules change)."""
    generate(ledger, workers=40, years=6, seed=7)
    identical = _compare_all(ledger, draft(), shortcuts=False)
    assert identical[0].affected == 0 and identical[1] == []

    def wage(p: dict[str, Any]) -> None:
        p["average_wages"]["value"]["2019"] = "41000"

    def steps_and_flags(p: dict[str, Any]) -> None:
        p["step_years"]["value"] = 2
        p["promotion_excellent_years"]["value"] = 2

    def bands(p: dict[str, Any]) -> None:
        p["post_grades"]["value"]["officer"] = [4, 14]

    for change in (wage, _two_years, steps_and_flags, bands):
        shared = _compare_all(ledger, draft(change), shortcuts=True)
        separate = _compare_all(ledger, draft(change), shortcuts=False)
        assert shared[0].affected > 0, change.__name__
        assert (shared[0].by_month, shared[0].units) == (separate[0].by_month, separate[0].units)
        assert shared[1] == separate[1], change.__name__
    assert any(w.flags for w in _compare_all(ledger, draft(steps_and_flags), shortcuts=True)[1])


def _compare_all(
    ledger: Ledger, chosen: Draft, *, shortcuts: bool
) -> tuple[Sums, list[WorkerDifference]]:
    adopted = ledger.schedule()
    comparison = Comparison(
        adopted,
        draft_schedule(adopted, chosen.policy, chosen.effective),
        "2016-01",
        "2021-12",
        shortcuts=shortcuts,
    )
    sums = Sums(72)
    found = []
    for aggregate_id, _, topic in event_log(ledger):
        if topic.endswith("Worker.Hired"):
            difference = comparison.worker(ledger.repository.get(aggregate_id), sums)
            if difference:
                found.append(difference)
    return sums, found


# -- a higher average wage --------------------------------------------------------------------
def test_a_higher_average_wage_raises_every_paid_worker_by_the_coefficient_times_the_base_change(
    ledger: Ledger,
) -> None:
    generate(ledger, workers=40, years=6, seed=7)
    adopted_wage = Decimal(
        load_document("baohe-2020")["parameters"]["average_wages"]["value"]["2019"]
    )
    # 0.8 x 1500 / 12 = 100.00 exactly: the new base is the old one plus 100.00 to the fen.
    raised = str(adopted_wage + 1500)

    def wage(p: dict[str, Any]) -> None:
        p["average_wages"]["value"] = {"2019": raised}

    outcome = run(ledger, draft(wage), "2016-01", "2021-12")

    assert outcome.next_cursor is None
    assert outcome.sums.affected == outcome.sums.compared == len(outcome.items) > 40
    assert outcome.sums.gaining == len(outcome.items) and outcome.sums.losing == 0
    total = Decimal(0)
    for worker in outcome.items:
        assert (worker.grades, worker.steps_gained, worker.steps_lost, worker.flags) == (
            [],
            [],
            [],
            [],
        )
        for stretch in worker.pay:
            assert stretch.adopted and stretch.draft
            unit_a, post_a, grade_a, pay_a = stretch.adopted
            unit_d, post_d, grade_d, pay_d = stretch.draft
            assert (unit_a, post_a, grade_a) == (unit_d, post_d, grade_d)
            assert (pay_a.coefficient, pay_a.allowance) == (pay_d.coefficient, pay_d.allowance)
            assert pay_d.base - pay_a.base == Decimal("100.00")
            assert pay_d.total - pay_a.total == pay_a.coefficient * Decimal("100.00")
            total += (pay_d.total - pay_a.total) * stretch.months
    summary = report.summary(outcome, {})
    assert Decimal(summary["totals"]["difference"]["total"]) == total
    assert sum(Decimal(m["difference"]["total"]) for m in summary["months"]) == total


# -- two-year steps ---------------------------------------------------------------------------
@dataclass
class Case:
    """A worker's recorded career, and the steps the rule gives it, counted by hand."""

    ratings: dict[int, Rating]
    hired: date = date(2020, 1, 1)
    grade: int | None = None  # None: the policy's (assistant, no degree, no service: 1)
    left: date | None = None
    apply_steps_on: date | None = None  # record the adopted policy's steps first
    worker: UUID | None = field(default=None, compare=False)

    def steps(self, every: int) -> list[date]:
        grade, top = self.grade or 1, 12  # the assistant's range is 1-12
        steps, counted = [], 0
        for year, rating in sorted(self.ratings.items()):
            if rating not in QUALIFYING:
                continue  # neither counts nor resets the clock
            counted += 1
            if counted < every:
                continue
            counted = 0
            day = date(year + 1, 1, 1)
            if (self.left is None or day < self.left) and grade < top:
                steps.append(day)
                grade += 1
        return steps


CASES = {
    "six competent years": Case({y: C for y in range(2020, 2026)}),
    "the same, with the adopted steps recorded": Case(
        {y: C for y in range(2020, 2026)}, apply_steps_on=date(2026, 1, 1)
    ),
    "one qualifying year": Case({2020: C}),
    "a basically competent year between": Case({2020: C, 2021: BC, 2022: C}),
    "hired in mid-2023": Case({2023: E, 2024: E}, hired=date(2023, 6, 1)),
    "an unqualified year first": Case({2020: U, 2021: C}),
    "three excellent years": Case({2020: E, 2021: E, 2022: E}),
    "at the top of the range": Case({y: C for y in range(2020, 2026)}, grade=12),
    "one below the top": Case({y: C for y in range(2020, 2026)}, grade=11),
    "resigned after two years": Case({2020: C, 2021: C}, left=date(2022, 6, 30)),
}


def test_two_year_steps_give_extra_steps_to_exactly_the_workers_who_qualify_from_the_right_month(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, quotas={"community_a": 20})
    for name, case in CASES.items():
        case.worker = worker_id(
            hire(ledger, tree.community_a, hire_date=case.hired, grade=case.grade, name=name[:20])
        )
        for year, rating in case.ratings.items():
            appraise(ledger, case.worker, year, rating)
        if case.apply_steps_on:
            ledger.apply_steps(as_(), ApplySteps(case.worker, case.apply_steps_on))
        if case.left:
            dismiss(ledger, case.worker, case.left)

    def two_years(p: dict[str, Any]) -> None:
        p["step_years"]["value"] = 2

    outcome = run(ledger, draft(two_years), "2020-01", "2026-12")

    expected: dict[str, tuple[list[date], list[date]]] = {}
    for case in CASES.values():
        under_two, under_three = Counter(case.steps(2)), Counter(case.steps(3))
        gained = sorted((under_two - under_three).elements())
        lost = sorted((under_three - under_two).elements())
        if gained or lost:
            expected[str(case.worker)] = (gained, lost)
    found = {w.worker_id: w for w in outcome.items}
    assert set(found) == set(expected)
    assert len(expected) == 7  # the scenario does exercise the rule
    for worker_key, (gained, lost) in expected.items():
        worker = found[worker_key]
        assert (worker.steps_gained, worker.steps_lost) == (gained, lost)
        first = min(gained + lost)
        assert worker.first_month == f"{first:%Y-%m}"
        # The pay follows from that very month: the draft's extra grade is paid.
        assert worker.pay[0].from_month == f"{first:%Y-%m}"
        assert worker.grades[0].start == first
        assert worker.pay[0].draft and worker.pay[0].adopted
        assert worker.pay[0].draft[2] == worker.pay[0].adopted[2] + 1
        assert worker.flags == []  # the flag rules did not change


def test_a_draft_with_an_effective_date_leaves_the_adopted_policy_in_force_before_it(
    ledger: Ledger,
) -> None:
    adopted = ledger.schedule()

    def two_years(p: dict[str, Any]) -> None:
        p["step_years"]["value"] = 2

    dated = draft(two_years, keep_effective_from=True)
    schedule = draft_schedule(adopted, dated.policy, date(2023, 1, 1))

    assert schedule.on(date(2022, 12, 31)).step_years == 3
    assert schedule.on(date(2023, 1, 1)).step_years == 2
    undated = draft_schedule(adopted, draft(two_years).policy, None)
    assert undated.on(date(1990, 1, 1)).step_years == 2


# -- pages, spooling, subtrees, processes --------------------------------------------------
def _two_years(p: dict[str, Any]) -> None:
    p["step_years"]["value"] = 2


def test_pages_by_worker_id_add_up_to_every_differing_worker(
    ledger: Ledger, tmp_path: Path
) -> None:
    generate(ledger, workers=40, years=6, seed=7)
    chosen = draft(_two_years)
    spooled = run(ledger, chosen, "2016-01", "2021-12", limit=None, spool_dir=tmp_path)
    every = [w.worker_id for w in spooled.workers()]
    assert every == sorted(every) and len(every) == spooled.sums.affected > 10

    paged: list[str] = []
    cursor = None
    while True:
        page = run(ledger, chosen, "2016-01", "2021-12", limit=7, after=cursor)
        paged += [w.worker_id for w in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(page.items) == 7
    assert paged == every


def test_a_subtree_covers_only_its_units_and_the_workers_paid_there(ledger: Ledger) -> None:
    generate(ledger, workers=40, years=6, seed=7)
    chosen = draft(_two_years)
    everyone = run(ledger, chosen, "2016-01", "2021-12")
    streets = [
        info for info in everyone.sums.unit_info.values() if info.kind.value == "street_office"
    ]
    street = streets[0]

    inside = run(ledger, chosen, "2016-01", "2021-12", unit_id=UUID(street.unit_id))

    below = {street.unit_id} | {
        i.unit_id for i in everyone.sums.unit_info.values() if i.parent_id == street.unit_id
    }
    assert set(inside.sums.unit_info) == below
    assert set(inside.sums.units) <= below
    assert inside.items and all(w.unit_id in below for w in inside.items)
    assert {u: everyone.sums.units[u] for u in inside.sums.units} == inside.sums.units


@pytest.mark.parametrize("store", DATABASE_STORES, indirect=True)
@pytest.mark.parametrize("fork", [True, False], ids=["fork", "forkserver"])
def test_the_answer_does_not_depend_on_how_many_processes_compute_it(
    ledger: Ledger, fork: bool
) -> None:
    generate(ledger, workers=40, years=6, seed=7)
    chosen = draft(_two_years)
    one = run(ledger, chosen, "2016-01", "2021-12", limit=5)
    two = run(ledger, chosen, "2016-01", "2021-12", limit=5, processes=2, fork=fork)

    assert report.summary(two, {}) == report.summary(one, {})
    assert two.items == one.items and two.next_cursor == one.next_cursor
    folder = spool_folder()
    try:
        spooled = run(
            ledger,
            chosen,
            "2016-01",
            "2021-12",
            limit=None,
            spool_dir=Path(folder.name),
            processes=2,
            fork=fork,
        )
        assert [w.worker_id for w in spooled.workers()][:5] == [w.worker_id for w in one.items]
    finally:
        folder.cleanup()


def test_a_grade_the_policy_gave_at_hire_is_given_again_by_the_draft(ledger: Ledger) -> None:
    tree = build_tree(ledger, quotas={"community_a": 5})
    by_policy = worker_id(hire(ledger, tree.community_a, name="按政策定级"))
    by_person = worker_id(hire(ledger, tree.community_a, grade=1, name="人工定级"))

    def lower_start(p: dict[str, Any]) -> None:
        p["post_grades"]["value"]["assistant"] = [2, 12]

    outcome = run(ledger, draft(lower_start), "2021-03", "2021-03")

    found = {w.worker_id: w for w in outcome.items}
    assert found[str(by_policy)].grades[0].adopted == 1
    assert found[str(by_policy)].grades[0].draft == 2  # the policy's minimum, again
    # A grade a person chose stays as recorded; below the draft's range, it is paid at
    # the range's nearest end.
    chosen = found[str(by_person)]
    assert chosen.grades == []
    assert chosen.pay[0].draft is not None
    paid = chosen.pay[0].draft[3].coefficient
    assert paid == draft(lower_start).policy.coefficient(Post.ASSISTANT, 2)


def test_a_dated_draft_replaces_the_adopted_versions_from_its_date_on(ledger: Ledger) -> None:
    """Adopted: the 2020 pack, then a higher wage from 2022. A copy of the 2020 pack dated
    2022-07-01 keeps the adopted policy before that date and its own lower wage after it,
    over the later-adopted version; undated, it governs from the start."""
    generate(ledger, workers=20, years=4, seed=5, start_year=2020)
    raised = copy.deepcopy(load_document("baohe-2020"))
    raised["parameters"]["average_wages"]["value"] = {"2021": "45000"}
    ledger.adopt_policy(as_(), raised, date(2022, 1, 1), "包政〔2022〕1号")

    def copy_of_2020(effective_from: str | None) -> Draft:
        document = copy.deepcopy(load_document("baohe-2020"))
        document.pop("effective_from")
        if effective_from:
            document["effective_from"] = effective_from
        return Draft.from_document(document)

    dated = report.summary(run(ledger, copy_of_2020("2022-07-01"), "2021-01", "2022-12"), {})
    undated = report.summary(run(ledger, copy_of_2020(None), "2021-01", "2022-12"), {})

    differences = {m["month"]: Decimal(m["difference"]["total"]) for m in dated["months"]}
    assert all(v == 0 for month, v in differences.items() if month < "2022-07")
    assert all(v < 0 for month, v in differences.items() if month >= "2022-07")
    from_start = {m["month"]: Decimal(m["difference"]["total"]) for m in undated["months"]}
    assert all(v == 0 for month, v in from_start.items() if month < "2022-01")
    assert all(v < 0 for month, v in from_start.items() if month >= "2022-01")
