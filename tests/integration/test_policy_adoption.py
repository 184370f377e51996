"""Adopting a policy version through the service layer, and the read models following it.

Issue 4: "adopting a policy effective next January changes no payroll month
before January, in the read models or the reports", and changes January on.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.access import Actor
from domain.errors import (
    Forbidden,
    InvalidInput,
    PolicyBreaksTimelines,
    PolicyInvalid,
    PolicyOutOfOrder,
)
from domain.policy import load_document
from domain.policy_book import POLICY_BOOK_ID
from domain.vocabulary import Education, Post, Rating, Role
from ledger.application import Ledger
from projections.models.payroll import Payroll
from projections.queries import payroll, rules
from tests.integration.application_support import (
    ADMIN,
    appraise,
    as_,
    build_tree,
    change_grade,
    event_log,
    hire,
    topics_since,
    worker_id,
)
from tests.integration.read_model_support import District, projected_district, snapshot
from tests.unit.test_policy_posts import MAPPING, three_posts

NEXT_JANUARY = date(date.today().year + 1, 1, 1)
REF = "包政〔2026〕12号"


def raised(**parameters: Any) -> dict[str, Any]:
    """The bootstrap pack with a higher wage for the year before NEXT_JANUARY, and
    ``parameters`` replaced."""
    document = copy.deepcopy(load_document("baohe-2020"))
    document["id"] = f"baohe-{NEXT_JANUARY.year}"
    wages = document["parameters"]["average_wages"]["value"]
    wages[str(NEXT_JANUARY.year - 1)] = "48000"  # base 0.8 x 48 000 / 12 = 3200.00
    for name, value in parameters.items():
        document["parameters"][name]["value"] = value
    return document


def months(first: date, before: date) -> Iterator[str]:
    year, month = first.year, first.month
    while date(year, month, 1) < before:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def book_versions(ledger: Ledger) -> int:
    return len(list(ledger.events.get(POLICY_BOOK_ID)))


# -- the command -----------------------------------------------------------------------------
def test_an_admin_adopts_a_version_from_its_effective_date(ledger: Ledger) -> None:
    answer = ledger.adopt_policy(as_(), raised(), NEXT_JANUARY, REF)

    assert answer["version"] == 2
    assert answer["policy_id"] == f"baohe-{NEXT_JANUARY.year}"
    assert (answer["effective_date"], answer["document_ref"]) == (NEXT_JANUARY.isoformat(), REF)
    assert answer["recorded_by"] == ADMIN.name and answer["recorded_at"]
    schedule = ledger.schedule()
    assert schedule.version_on(NEXT_JANUARY).version == 2
    assert schedule.version_on(date(NEXT_JANUARY.year - 1, 12, 31)).version == 1


def test_a_shipped_pack_is_adopted_by_its_name_and_a_path_is_not_read(ledger: Ledger) -> None:
    assert ledger.adopt_policy(as_(), "chibi-2020", NEXT_JANUARY, REF)["policy_id"] == "chibi-2020"

    before = event_log(ledger)
    with pytest.raises(InvalidInput) as refused:
        ledger.adopt_policy(as_(), "/etc/passwd", date(2090, 1, 1), REF)
    assert refused.value.field == "policy"
    assert topics_since(ledger, before) == []


@pytest.mark.parametrize("role", [Role.CLERK, Role.AUDITOR, Role.REPORTER])
def test_only_an_admin_adopts_a_policy(ledger: Ledger, role: Role) -> None:
    tree = build_tree(ledger)
    actor = Actor("someone", role, tree.street_a if role is Role.CLERK else None)
    before = event_log(ledger)

    with pytest.raises(Forbidden):
        ledger.adopt_policy(as_(actor), raised(), NEXT_JANUARY, REF)

    assert topics_since(ledger, before) == []


def test_a_bad_policy_is_refused_with_every_problem_and_records_nothing(ledger: Ledger) -> None:
    document = raised()
    del document["parameters"]["pay_coefficients"]["value"]["director"]["18"]
    document["parameters"]["post_grades"]["value"]["officer"] = [14, 3]
    before = event_log(ledger)

    with pytest.raises(PolicyInvalid) as refused:
        ledger.adopt_policy(as_(), document, NEXT_JANUARY, REF)

    assert refused.value.problems == [
        "parameters.post_grades.officer: must be [lowest, highest] with 1 <= lowest <= highest",
        "parameters.pay_coefficients.director: no coefficient for grades [18]",
    ]
    assert topics_since(ledger, before) == []


def test_a_version_dated_on_or_before_the_latest_is_refused(ledger: Ledger) -> None:
    ledger.adopt_policy(as_(), raised(), NEXT_JANUARY, REF)
    before = event_log(ledger)

    for day in (NEXT_JANUARY, date(NEXT_JANUARY.year - 1, 6, 1)):
        with pytest.raises(PolicyOutOfOrder) as refused:
            ledger.adopt_policy(as_(), raised(), day, REF)
        assert refused.value.field == "effective_date"

    assert topics_since(ledger, before) == []


def test_a_narrower_band_that_a_recorded_later_grade_would_break_is_refused(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, quotas={"community_a": 5})
    worker = worker_id(hire(ledger, tree.community_a, hire_date=date(2021, 3, 1)))
    change_grade(ledger, worker, 12, NEXT_JANUARY.replace(month=6))
    bands = {"director": [7, 18], "deputy_director": [5, 16], "officer": [3, 14]}
    narrower = raised(post_grades={**bands, "assistant": [1, 10]})
    before = event_log(ledger)

    with pytest.raises(PolicyBreaksTimelines) as refused:
        ledger.adopt_policy(as_(), narrower, NEXT_JANUARY, REF)

    assert str(worker) in refused.value.detail and "outside the assistant range 1-10" in (
        refused.value.detail
    )
    assert topics_since(ledger, before) == []
    # From a date after every recorded fact the same band holds nobody up.
    later = NEXT_JANUARY.replace(month=7)
    assert ledger.adopt_policy(as_(), narrower, later, REF)["version"] == 2


def test_the_same_idempotency_key_adopts_once_and_answers_the_same(ledger: Ledger) -> None:
    first = ledger.adopt_policy(as_(key="adopt-1", fingerprint="f"), raised(), NEXT_JANUARY, REF)
    again = ledger.adopt_policy(as_(key="adopt-1", fingerprint="f"), raised(), NEXT_JANUARY, REF)

    assert again == first
    assert [v["version"] for v in ledger.policy_versions()] == [1, 2]


def test_the_versions_list_who_adopted_each_and_the_one_in_force_on_a_date(
    ledger: Ledger,
) -> None:
    known_before = ledger.policy_versions()[0]["recorded_at"]
    ledger.adopt_policy(as_(), raised(), NEXT_JANUARY, REF)

    listed = ledger.policy_versions()
    assert [(v["version"], v["recorded_by"]) for v in listed] == [(1, "system"), (2, "admin")]
    assert listed[0]["effective_to"] == NEXT_JANUARY and listed[1]["effective_to"] is None
    december = ledger.policy_in_force(date(NEXT_JANUARY.year - 1, 12, 31))
    january = ledger.policy_in_force(NEXT_JANUARY)
    assert (december["version"], january["version"]) == (1, 2)
    assert january["parameters"]["step_years"]["source"] == "seed"
    as_known = ledger.policy_in_force(NEXT_JANUARY, known_before)
    assert as_known["version"] == 1, "before the adoption was recorded, version 1 governed"
    assert [v["version"] for v in ledger.policy_versions(known_before)] == [1]


# -- the read models -------------------------------------------------------------------------
@pytest.fixture
def district(ledger: Ledger, store: str) -> Iterator[District]:
    with projected_district(ledger, store, seed=7, workers=60) as found:
        yield found


def test_adopting_a_policy_effective_next_january_changes_no_payroll_month_before_it(
    district: District,
) -> None:
    ledger, store, projector = district.ledger, district.store, district.projector
    # Facts reaching past NEXT_JANUARY, recorded before the adoption and untouched by it:
    # a future-dated hire whose grade the policy chooses, and two qualifying years that
    # make a step under 2-year steps but not under 3.
    tree = build_tree(ledger, quotas={"community_a": 5})
    future = worker_id(
        hire(
            ledger,
            tree.community_a,
            hire_date=NEXT_JANUARY.replace(month=3),
            education=Education.BACHELOR,
            name="新人",
        )
    )
    stepper = worker_id(
        hire(ledger, tree.community_a, hire_date=date(NEXT_JANUARY.year - 2, 1, 1), name="老李")
    )
    for year in (NEXT_JANUARY.year - 2, NEXT_JANUARY.year - 1):
        appraise(ledger, stepper, year, Rating.COMPETENT)
    projector.catch_up()
    earlier = list(months(date(2015, 1, 1), NEXT_JANUARY))
    paid_before = {m: payroll.lines(store, None, m, ledger.schedule()) for m in earlier}
    steps_before = rules.steps_due(
        store, None, date(NEXT_JANUARY.year - 1, 12, 31), ledger.schedule()
    )
    rows_before = snapshot(projector)
    assert not any(s["worker_id"] == str(stepper) for s in steps_before)

    bonus = {"below_associate": 0, "associate": 1, "bachelor": 3, "master": 4, "doctorate": 5}
    ledger.adopt_policy(as_(), raised(step_years=2, education_bonus=bonus), NEXT_JANUARY, REF)
    projector.catch_up()

    schedule = ledger.schedule()
    for month in earlier:
        assert payroll.lines(store, None, month, schedule) == paid_before[month], month
    assert (
        rules.steps_due(store, None, date(NEXT_JANUARY.year - 1, 12, 31), ledger.schedule())
        == steps_before
    )
    january = payroll.lines(store, None, NEXT_JANUARY.strftime("%Y-%m"), schedule)
    assert january and {line["base"] for line in january} == {Decimal("3200.00")}
    assert {line["policy_version"] for line in january} == {2}
    before_january = {
        line["worker_id"]: Decimal(line["total"]) for line in paid_before[earlier[-1]]
    }
    assert all(
        Decimal(line["total"]) > before_january[line["worker_id"]]
        for line in january
        if line["worker_id"] in before_january
    ), "a higher base raises every January line"
    # Rows of workers the adoption's batch never touched follow the new version.
    march = payroll.lines(store, None, NEXT_JANUARY.replace(month=3).strftime("%Y-%m"), schedule)
    assert next(line for line in march if line["worker_id"] == str(future))["grade"] == 4
    due = rules.steps_due(store, None, NEXT_JANUARY, ledger.schedule())
    assert [s["effective_date"] for s in due if s["worker_id"] == str(stepper)] == [
        NEXT_JANUARY.isoformat()
    ]
    rederived = snapshot(projector)
    assert rederived != rows_before
    projector.rebuild(processes=1)
    assert snapshot(projector) == rederived, "the re-derived rows are the rebuilt ones"


def test_the_payroll_as_known_before_the_adoption_keeps_the_old_base(district: District) -> None:
    ledger, store = district.ledger, district.store
    known_before = datetime.now(UTC)  # after every fact of the district
    ledger.adopt_policy(as_(), raised(), NEXT_JANUARY, REF)
    district.projector.catch_up()
    month = NEXT_JANUARY.strftime("%Y-%m")

    then = payroll.lines_as_known(ledger, store, None, month, known_before)
    now = payroll.lines(store, None, month, ledger.schedule())

    assert then and {line["base"] for line in then} == {Decimal("2620.00")}
    assert {line["base"] for line in now} == {Decimal("3200.00")}


def test_a_re_derivation_that_fails_half_way_leaves_rows_and_position_as_they_were(
    district: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, projector = district.ledger, district.projector
    rows_before, position = snapshot(projector), projector.position()
    ledger.adopt_policy(as_(), raised(), NEXT_JANUARY, REF)
    derive = Payroll.rows
    calls = 0

    def failing(self: Payroll, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > 20:
            raise RuntimeError("the projector's process died")
        return derive(self, *args)

    monkeypatch.setattr(Payroll, "rows", failing)
    with pytest.raises(RuntimeError):
        projector.run_once()

    assert calls > 20, "it failed half-way through the workers"
    assert (snapshot(projector), projector.position()) == (rows_before, position)
    monkeypatch.setattr(Payroll, "rows", derive)
    projector.catch_up()
    assert projector.position() == ledger.recorder.max_notification_id()
    rederived = snapshot(projector)
    projector.rebuild(processes=1)
    assert snapshot(projector) == rederived


def test_a_mapping_that_puts_a_later_recorded_grade_outside_the_new_post_is_refused(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, quotas={"community_a": 5})
    worker = worker_id(
        hire(ledger, tree.community_a, hire_date=date(2021, 3, 1), post=Post.DIRECTOR)
    )
    change_grade(ledger, worker, 15, date(2023, 6, 1))
    # 主管 (7–18) to 其他工作人员 (1–12): grade 15, recorded after the version's date, is outside.
    demoting = three_posts({**MAPPING, "director": "staff"})
    before = event_log(ledger)

    with pytest.raises(PolicyBreaksTimelines) as refused:
        ledger.adopt_policy(as_(), demoting, date(2023, 1, 1), REF)

    assert str(worker) in refused.value.detail
    assert topics_since(ledger, before) == []
    assert (
        ledger.adopt_policy(as_(), three_posts(dict(MAPPING)), date(2023, 1, 1), REF)["version"]
        == 2
    )
