"""The demo district, loaded small through the ledger's own commands.

The demo is the first thing a newcomer sees, so it must be a lawful history
(every unit within quota, every rule obeyed), a reproducible one (same seed,
same facts), and an interesting one (flags and due steps left to look at).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.access import Actor
from domain.policy import load_document
from domain.vocabulary import Role, UnitKind
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from seed.demo import (
    END_DATE,
    QUOTA_DOCUMENT,
    QUOTA_START,
    REVIEW_DATE,
    STREETS,
    DemoLoader,
    DemoSummary,
    load_demo,
)

SMALL = 150
SEED = 7
AUDITOR = Actor("auditor", Role.AUDITOR)
# Fields that differ between two runs by nature: generated ids, recorded times, and the
# chain hashes taken over them.
VOLATILE = {"originator_id", "timestamp", "originator_topic", "chain_hash"}


def fresh_ledger(url: str) -> Ledger:
    ledger = Ledger(env=store_environment(url))
    ledger.bootstrap("baohe-2020")
    return ledger


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, DemoSummary]]:
    """One small demo on the embedded SQLite store, shared by the read-only tests here."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    ledger = fresh_ledger(f"sqlite:///{path}")
    summary = load_demo(ledger, workers=SMALL, seed=SEED)
    try:
        yield ledger, summary
    finally:
        ledger.close()


def facts(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """Every recorded event, keyed by a name that does not depend on generated ids.

    Units are named by their name, workers by their ID number; ids inside the
    events are replaced by those names. Access tokens are left out: their secrets
    are random by design.
    """
    events = [
        ledger.mapper.to_domain_event(n)
        for n in ledger.recorder.select_notifications(start=None, limit=10**7)
        if "AccessToken" not in n.topic
    ]
    names: dict[UUID, str] = {}
    for event in events:
        kind = type(event).__qualname__
        if kind == "Unit.Registered":
            names[event.originator_id] = f"unit:{event.name}"
        elif kind == "Worker.Hired":
            names[event.originator_id] = f"worker:{event.id_number}"
        elif kind.startswith("PolicyBook."):
            names[event.originator_id] = "policy-book"
        elif kind.startswith("UnitDirectory."):
            names[event.originator_id] = "unit-directory"
    assert len(set(names.values())) == len(names), "unit names and ID numbers are unique"

    def plain(value: Any) -> Any:
        if isinstance(value, UUID):
            return names[value]
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    by_aggregate: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        data = {k: plain(v) for k, v in vars(event).items() if k not in VOLATILE}
        by_aggregate[names[event.originator_id]].append({"type": type(event).__qualname__, **data})
    return dict(by_aggregate)


def test_a_small_demo_records_the_same_facts_on_two_fresh_stores(
    store: str, tmp_path: Path
) -> None:
    first = fresh_ledger(store)
    second = fresh_ledger("memory://")
    try:
        one = load_demo(first, workers=SMALL, seed=SEED)
        two = load_demo(second, workers=SMALL, seed=SEED)
        assert one.counts == two.counts
        assert one.workers == two.workers == SMALL
        facts_one, facts_two = facts(first), facts(second)
        assert facts_one.keys() == facts_two.keys()
        for name in facts_one:
            assert facts_one[name] == facts_two[name], name
    finally:
        first.close()
        second.close()


def test_another_seed_gives_other_people_in_the_same_district() -> None:
    one = fresh_ledger("memory://")
    two = fresh_ledger("memory://")
    load_demo(one, workers=40, seed=1)
    load_demo(two, workers=40, seed=2)
    facts_one, facts_two = facts(one), facts(two)
    units = {k for k in facts_one if k.startswith("unit:")}
    assert units == {k for k in facts_two if k.startswith("unit:")}
    workers = {k for k in facts_one if k.startswith("worker:")}
    assert workers != {k for k in facts_two if k.startswith("worker:")}


def test_the_full_size_district_is_baohe_with_a_computed_quota_of_3007() -> None:
    ledger = fresh_ledger("memory://")
    loader = DemoLoader(ledger, workers=3000, seed=SEED)
    loader._register_units()
    loader._approve_quotas(QUOTA_START, QUOTA_DOCUMENT, adjust=False)

    streets = [u for u in loader.units if u.kind is UnitKind.STREET_OFFICE]
    assert [s.name for s in streets] == [s.name for s in STREETS]
    assert len(streets) == 13
    assert sum(u.quota for u in loader.units) == 3007
    for street in streets:
        kinds = {u.kind for u in loader.units if u.street is street}
        assert kinds == {
            UnitKind.URBAN_COMMUNITY,
            UnitKind.ADMINISTRATIVE_VILLAGE,
            UnitKind.VILLAGE_CONVERTED_COMMUNITY,
        }, street.name
    view = ledger.unit_view(AUDITOR, streets[1].uid, QUOTA_START)
    assert view["name"] == "望湖街道"
    assert view["approved_quota"] == view["computed_quota"] == 90  # class 1: 75 x 1.2
    assert view["approval"]["document_ref"] == "包编〔2020〕12号"


def test_every_unit_stays_within_its_approved_quota_throughout_the_demo(
    small_demo: tuple[Ledger, DemoSummary],
) -> None:
    ledger, summary = small_demo
    days = [date(year, month, 1) for year in range(2020, 2026) for month in (1, 4, 7, 10)]
    days += [date(2020, 9, 1), REVIEW_DATE, END_DATE]
    occupied = 0
    for name, unit_id in summary.unit_ids.items():
        for day in days:
            view = ledger.unit_view(AUDITOR, unit_id, day)
            if view["approved_quota"] is not None:
                assert view["headroom"] >= 0, (name, day)
        occupied += ledger.unit_view(AUDITOR, unit_id, END_DATE)["headcount"]
    assert occupied == summary.active_at_end


def test_the_demo_hires_through_every_channel_into_every_post(
    small_demo: tuple[Ledger, DemoSummary],
) -> None:
    ledger, summary = small_demo
    views = [ledger.worker_view(AUDITOR, w, END_DATE, None) for w in summary.worker_ids]
    assert Counter(v["channel"] for v in views).keys() == {
        "transition",
        "open_recruitment",
        "dispatch_conversion",
    }
    active = [v for v in views if v["status"] == "active"]
    posts = Counter(v["post"] for v in active)
    assert posts.keys() == {"director", "deputy_director", "officer", "assistant"}
    assert posts["assistant"] > len(active) / 2
    assert {v["hire_date"][:4] for v in views} >= {"2020", "2021"}
    assert sum(v["hire_date"] < "2022" for v in views) > 0.8 * len(views)


def test_the_demo_leaves_promotion_flags_dismissal_flags_and_due_steps_to_see(
    small_demo: tuple[Ledger, DemoSummary],
) -> None:
    ledger, summary = small_demo
    views = [ledger.worker_view(AUDITOR, w, END_DATE, None) for w in summary.worker_ids]
    active = [v for v in views if v["status"] == "active"]
    assert any(v["flags"]["promotion_candidate"] for v in active)
    assert any(v["flags"]["dismissal_required"] for v in active)
    assert any(v["steps_due"] for v in active)
    assert summary.steps_due_at_end == sum(bool(v["steps_due"]) for v in active)
    assert summary.counts["grade_stepped"] > 0


def test_steps_were_applied_in_january_and_name_the_appraisals_that_caused_them(
    small_demo: tuple[Ledger, DemoSummary],
) -> None:
    ledger, summary = small_demo
    steps = [
        item
        for w in summary.worker_ids
        for item in ledger.worker_history(AUDITOR, w, None)
        if item["type"] == "GradeStepped"
    ]
    assert len(steps) == summary.counts["grade_stepped"]
    for step in steps:
        assert step["effective_date"].endswith("-01-01")
        assert len(step["caused_by"]) == 3
        assert step["recorded_by"] == "system"


def test_dismissals_for_unqualified_years_follow_two_consecutive_unqualified_appraisals(
    small_demo: tuple[Ledger, DemoSummary],
) -> None:
    ledger, summary = small_demo
    dismissed = 0
    for worker_id in summary.worker_ids:
        history = ledger.worker_history(AUDITOR, worker_id, None)
        ratings: dict[int, str] = {}
        for item in history:
            data = item["data"]
            if item["type"] in ("Appraised", "AppraisalCorrected"):
                ratings[data["year"]] = data["rating"]
            elif item["type"] == "Dismissed" and data["reason"] == "two_consecutive_unqualified":
                dismissed += 1
                last = int(item["effective_date"][:4]) - 1
                assert ratings.get(last) == ratings.get(last - 1) == "unqualified"
    assert dismissed > 0


def test_the_demo_records_careers_not_just_hires(
    small_demo: tuple[Ledger, DemoSummary],
) -> None:
    _, summary = small_demo
    for kind in (
        "appraised",
        "appraisal_corrected",
        "grade_stepped",
        "certificate_obtained",
        "education_upgraded",
        "transferred",
        "dismissed_resignation",
        "dismissed_two_consecutive_unqualified",
    ):
        assert summary.counts[kind] > 0, kind
    assert summary.counts["post_election"] + summary.counts["post_promotion"] > 0
    assert "transfer_refused" not in summary.counts  # the loader chose units with a free seat


def test_more_workers_than_seats_hires_only_as_many_as_the_policys_quota_allows(
    tmp_path: Path,
) -> None:
    document = load_document("baohe-2020")
    document["id"] = "baohe-2020-small-bases"
    document["parameters"]["quota_bases"]["value"] = {
        "street_office": 6,
        "administrative_village": 2,
        "urban_community": 2,
        "village_converted_community": 3,
    }
    policy = tmp_path / "small-bases.json"
    policy.write_text(json.dumps(document), encoding="utf-8")
    ledger = Ledger(env=store_environment("memory://"))
    ledger.bootstrap(str(policy))

    summary = load_demo(ledger, workers=400, seed=SEED)

    assert summary.approved_quota_2020 < 300
    assert summary.workers < 400
    assert summary.active_at_end <= summary.approved_quota_now
    for name, unit_id in summary.unit_ids.items():
        view = ledger.unit_view(AUDITOR, unit_id, END_DATE)
        assert view["headroom"] is None or view["headroom"] >= 0, name
