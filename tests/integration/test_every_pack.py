"""Each shipped pack runs the whole product (issue 13, Targets): a ledger set up on the pack
hires through the application, records five years of appraisals, shows the steps due and the
flags raised, applies the steps, and answers the payroll, the quota usage, a simulation and
a rebuild of the read models with the figures worked by hand in tests/integration/pack_cases.py.

The rule reports and the quota usage are read through the queries the API answers with
(``projections.queries.rules``, ``quota``), given the ledger's schedule: each row names its
post by the pack's own code and Chinese label.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.errors import PolicyInvalid
from domain.policy import load_document, shipped_packs
from domain.vocabulary import CertificateLevel, Channel, Education, Gender, Post, Rating
from domain.worker import Person
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from ledger.commands import AddCertificate, ApplySteps, Appraise, Hire
from projections import rebuild as fast
from projections.projector import Projector
from projections.queries import payroll, quota, rules
from projections.simulation import Draft, report, simulate
from projections.sql import ReadStore
from tests.integration.application_support import ADMIN, approve, as_, build_tree, hire
from tests.integration.pack_cases import (
    CASES,
    DISMISSAL_DUE,
    FOUR_POSTS,
    NAMES,
    PROMOTION_DUE,
    Case,
)
from tests.integration.read_model_support import snapshot
from tests.stores import DATABASE_STORES, store_url

C, BC, E, U = Rating.COMPETENT, Rating.BASICALLY_COMPETENT, Rating.EXCELLENT, Rating.UNQUALIFIED
HIRED = date(2021, 1, 1)
TODAY = date(2026, 1, 1)
# name -> (prior years, education, ratings 2021-2025)
PEOPLE = {
    "甲": (4, Education.MASTER, [C, C, C, C, C]),
    "乙": (0, Education.BACHELOR, [E, E, E, C, C]),
    "丙": (2, Education.ASSOCIATE, [C, C, BC, U, U]),
}
SANGANG_MAPPING = {
    "director": "head",
    "deputy_director": "deputy",
    "officer": "staff",
    "assistant": "staff",
}


def test_every_shipped_pack_has_a_hand_worked_case() -> None:
    assert set(CASES) == set(shipped_packs())


@dataclass
class Scene:
    ledger: Ledger
    store: ReadStore
    projector: Projector
    community: UUID
    workers: dict[str, UUID]


@pytest.fixture(params=DATABASE_STORES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite and PostgreSQL: the stores with an events table a rebuild streams."""
    with store_url(request.param, tmp_path) as found:
        yield found


@pytest.fixture(params=sorted(CASES))
def pack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def scene(url: str, pack: str) -> Iterator[Scene]:
    ledger = Ledger(env=store_environment(url))
    ledger.bootstrap(pack)
    read_store = ReadStore(url)
    try:
        tree = build_tree(ledger)
        approve(ledger, tree.community_a, 10)  # from 2020-01-01
        case = CASES[pack]
        workers = {}
        for name, post in zip(NAMES, case.posts, strict=True):
            prior, education, ratings = PEOPLE[name]
            hired = ledger.hire(
                as_(),
                Hire(
                    person=Person(name, Gender.FEMALE, date(1990, 5, 5), None),
                    unit_id=tree.community_a,
                    post=post,  # type: ignore[arg-type]  # the pack's own code
                    education=education,
                    channel=Channel.OPEN_RECRUITMENT,
                    hire_date=HIRED,
                    prior_service_years=prior,
                ),
            )
            workers[name] = UUID(hired["worker_id"])
            for year, rating in enumerate(ratings, start=2021):
                ledger.appraise(as_(), Appraise(workers[name], year, rating))
        ledger.add_certificate(
            as_(), AddCertificate(workers["乙"], CertificateLevel.SOCIAL_WORKER, date(2024, 6, 1))
        )
        projector = Projector(ledger, read_store)
        projector.catch_up()
        yield Scene(ledger, read_store, projector, tree.community_a, workers)
    finally:
        read_store.close()
        ledger.close()


def view(scene: Scene, name: str) -> dict[str, Any]:
    return scene.ledger.worker_view(ADMIN, scene.workers[name], TODAY, None)


def names(scene: Scene) -> dict[str, str]:
    return {str(worker): name for name, worker in scene.workers.items()}


def post_of(case: Case, name: str) -> tuple[str, str]:
    """The post ``name`` holds under the pack, and its Chinese label."""
    at = NAMES.index(name)
    return case.posts[at], case.labels[at]


def steps_due(scene: Scene, case: Case) -> dict[str, list[tuple[str, list[int], int]]]:
    """``GET /rules/grade-steps`` on TODAY: each worker's steps due (date, qualifying years,
    grade after it); every row's post the pack's, labelled as the pack names it."""
    found: dict[str, list[tuple[str, list[int], int]]] = {name: [] for name in NAMES}
    for item in rules.steps_due(scene.store, None, TODAY, scene.ledger.schedule()):
        name = names(scene)[item["worker_id"]]
        assert (item["post"], item["post_label"]) == post_of(case, name), name
        years = [y["year"] for y in item["caused_by"]]
        found[name].append((item["effective_date"], years, item["new_grade"]))
    return found


def flags(scene: Scene, case: Case) -> set[tuple[str, str, str, str | None]]:
    """The promotion candidates and the dismissals required on TODAY, as the reports list
    them: (name, flag, since, due date)."""
    schedule = scene.ledger.schedule()
    found: set[tuple[str, str, str, str | None]] = set()
    listed = (
        ("promotion_candidate", rules.promotion_candidates(scene.store, None, TODAY, schedule)),
        ("dismissal_required", rules.dismissals_required(scene.store, None, TODAY, schedule)),
    )
    for flag, items in listed:
        for item in items:
            name = names(scene)[item["worker_id"]]
            assert (item["post"], item["post_label"]) == post_of(case, name), name
            found.add((name, flag, item["since"], item.get("due_date")))
    return found


def headcount_by_post(scene: Scene, case: Case) -> dict[str, int]:
    """The community's active headcount by post on TODAY (``GET /units/{id}/quota-usage``),
    keyed by the pack's posts, top first, with the pack's labels; the subtree report's row
    for the community says the same."""
    schedule = scene.ledger.schedule()
    usage = quota.unit_usage(scene.store, str(scene.community), TODAY, schedule)
    assert list(usage["by_post"]) == list(case.every_post)
    labels = usage["by_post_labels"]
    assert [labels[post] for post in case.posts] == list(case.labels)
    rows = quota.usage(scene.store, None, TODAY, 0, schedule)
    [row] = [row for row in rows if row["unit_id"] == str(scene.community)]
    assert row["by_post"] == usage["by_post"]
    return {post: n for post, n in usage["by_post"].items() if n}


def payroll_lines(scene: Scene, month: str) -> dict[str, dict[str, Any]]:
    lines = payroll.lines(scene.store, None, month, scene.ledger.schedule())
    return {names(scene)[line["worker_id"]]: line for line in lines}


def check_payroll(scene: Scene, case: Case) -> None:
    lines = payroll_lines(scene, "2026-01")
    assert set(lines) == set(NAMES)
    for name, want in case.payroll_2026_01.items():
        line = lines[name]
        got = (line["grade"], line["coefficient"], line["base"], line["allowance"])
        assert got == (want.grade, want.coefficient, want.base, want.allowance), name
        assert (line["total"], line["city_share"]) == (want.total, want.city_share), name
        assert line["local_share"] == want.total - want.city_share
        assert line["post"] == case.posts[NAMES.index(name)]
    assert payroll.totals(list(lines.values()))["total"] == case.payroll_total


def test_the_pack_runs_hires_appraisals_steps_flags_payroll_quota_simulation_and_rebuild(
    scene: Scene, pack: str
) -> None:
    case = CASES[pack]
    ledger = scene.ledger

    # -- hires: the initial grade the pack gives, under the pack's own posts -------------------
    for name, post in zip(NAMES, case.posts, strict=True):
        hired = ledger.worker_view(ADMIN, scene.workers[name], HIRED, None)
        assert (hired["post"], hired["grade"]) == (post, case.hired_at[name]), name
    assert [p.code for p in ledger.schedule().on(TODAY).posts] == list(case.every_post)

    # -- the rules: steps due and flags, in the application and in the read model -------------
    for name in NAMES:
        due = view(scene, name)["steps_due"]
        assert [(d["effective_date"], d["caused_by_years"]) for d in due] == [
            (when, years) for when, years, _ in case.steps_due[name]
        ], name
    assert steps_due(scene, case) == case.steps_due
    promotion = view(scene, "乙")["flags"]
    dismissal = view(scene, "丙")["flags"]
    assert promotion["promotion_candidate"] and not promotion["dismissal_required"]
    assert dismissal["dismissal_required"] and dismissal["dismissal_due_date"] == DISMISSAL_DUE
    assert not any(view(scene, "甲")["flags"].values())  # the top post is no candidate
    assert flags(scene, case) == {
        ("乙", "promotion_candidate", PROMOTION_DUE.isoformat(), None),
        ("丙", "dismissal_required", "2025-12-31", DISMISSAL_DUE),
    }

    # -- the steps applied: recorded with the pack's interval --------------------------------
    for name in NAMES:
        ledger.apply_steps(as_(), ApplySteps(scene.workers[name], TODAY))
    scene.projector.catch_up()
    assert {name: view(scene, name)["grade"] for name in NAMES} == case.grades_2026
    assert all(view(scene, name)["steps_due"] == [] for name in NAMES)
    assert steps_due(scene, case) == {name: [] for name in NAMES}
    stepped = [
        item
        for item in ledger.worker_history(ADMIN, scene.workers["甲"], None)
        if item["type"] == "GradeStepped"
    ]
    assert [s["effective_date"] for s in stepped] == [d for d, _, _ in case.steps_due["甲"]]
    assert {(s["data"]["interval_years"], s["data"]["rule_label"]) for s in stepped} == {
        (case.interval, case.rule_label)
    }

    # -- payroll: 2026-01, and a withheld performance part where the pack splits pay ---------
    check_payroll(scene, case)
    assert view(scene, "甲")["monthly_pay"] == str(case.payroll_2026_01["甲"].total)
    if case.withheld_2025_06 is not None:
        assert payroll_lines(scene, "2025-06")["丙"]["total"] == case.withheld_2025_06

    # -- quota usage: by the pack's posts -----------------------------------------------------
    usage = ledger.quota_usage(ADMIN, scene.community, TODAY)
    by_post = {post: 0 for post in case.every_post}
    for post in case.posts:
        by_post[post] += 1
    assert usage["by_post"] == by_post
    assert (usage["approved_quota"], usage["headcount"], usage["headroom"]) == (10, 3, 7)
    assert headcount_by_post(scene, case) == {post: 1 for post in case.posts}
    computed = ledger.unit_view(ADMIN, scene.community, TODAY)["computed_quota"]
    assert computed == case.computed_quota

    # -- a simulation: the same pack with the base 100.00 higher ------------------------------
    document = copy.deepcopy(load_document(pack))
    document.pop("effective_from", None)
    for key, value in case.raise_base.items():
        document["parameters"][key]["value"] = value
    outcome = simulate(ledger, Draft.from_document(document), "2026-01", "2026-01", limit=10)
    totals = report.summary(outcome, {})["totals"]
    assert totals["workers_affected"] == totals["workers_gaining"] == 3
    assert Decimal(totals["adopted"]["total"]) == case.payroll_total
    assert Decimal(totals["difference"]["total"]) == case.draft_difference
    # only the base changed: the same grades and steps on both sides
    assert all((w.grades, w.steps_gained, w.steps_lost) == ([], [], []) for w in outcome.items)
    if case.withheld_2025_06 is not None:
        # A split pay's performance part follows the year's rating in a simulation too: the
        # adopted side of 2025-06 is the payroll of 2025-06, 丙's part withheld.
        june = simulate(ledger, Draft.from_document(document), "2025-06", "2025-06", limit=10)
        paid = report.summary(june, {})["totals"]["adopted"]["total"]
        assert (
            Decimal(paid) == payroll.totals(list(payroll_lines(scene, "2025-06").values()))["total"]
        )

    # -- a rebuild of the read models: the same rows, the same payroll -------------------------
    before = snapshot(scene.projector)
    fast.rebuild(ledger, scene.store, position_name="ledger", processes=1)
    assert snapshot(scene.projector) == before
    check_payroll(scene, case)
    assert headcount_by_post(scene, case) == {post: 1 for post in case.posts}


def test_a_four_post_ledger_moves_to_sangang_only_with_its_posts_mapped(ledger: Ledger) -> None:
    """docs/policy-format.md's example: a Baohe ledger adopting 三岗十八级 from 2027-01-01."""
    tree = build_tree(ledger, quotas={"community_a": 10})
    officers = {}
    for name, grade in (("主办甲", 14), ("主办乙", 9)):
        hired = hire(ledger, tree.community_a, post=Post.OFFICER, grade=grade, name=name)
        officers[name] = UUID(hired["worker_id"])

    with pytest.raises(PolicyInvalid) as refused:
        ledger.adopt_policy(as_(), "sangang-18", date(2027, 1, 1), "三岗十八级")
    dropped = " ".join(refused.value.problems)
    assert all(f"drops the post '{code}'" in dropped for code in FOUR_POSTS)

    document = load_document("sangang-18")
    document["post_mapping"] = SANGANG_MAPPING
    ledger.adopt_policy(as_(), document, date(2027, 1, 1), "三岗十八级")

    def held(name: str, on: date) -> tuple[str, int]:
        found = ledger.worker_view(ADMIN, officers[name], on, None)
        return found["post"], found["grade"]

    assert held("主办甲", date(2026, 12, 31)) == ("officer", 14)
    assert held("主办甲", date(2027, 1, 1)) == ("staff", 12)  # 14 above 1-12: its top
    assert held("主办乙", date(2027, 1, 1)) == ("staff", 9)  # within 1-12: kept
    hired_as = ledger.worker_history(ADMIN, officers["主办甲"], None)[0]["data"]["post"]
    assert hired_as == "officer"  # history keeps the code recorded
    usage = ledger.quota_usage(ADMIN, tree.community_a, date(2027, 1, 1))
    assert usage["by_post"] == {"head": 0, "deputy": 0, "staff": 2}
    adopted = ledger.policy_document(date(2027, 1, 1))
    assert adopted["post_mapping"] == SANGANG_MAPPING  # recorded with the adoption
