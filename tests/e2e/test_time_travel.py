"""known_at: what the ledger knew at a recorded time; as_of: the state on an effective date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tests.e2e.conftest import Api, Tree, hire


def test_a_fact_recorded_later_is_invisible_at_an_earlier_known_at(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    known_before = datetime.now(UTC).isoformat()
    api.created(
        f"/workers/{worker_id}/grade-changes",
        {"grade": 6, "effective_date": "2022-01-01", "reason": "reward"},
    )

    then = api.ok(f"/workers/{worker_id}", as_of="2022-06-01", known_at=known_before)
    now = api.ok(f"/workers/{worker_id}", as_of="2022-06-01")
    assert (then["grade"], now["grade"]) == (3, 6)
    assert then["known_at"] is not None

    history_then = api.ok(f"/workers/{worker_id}/history", known_at=known_before)["items"]
    assert [i["type"] for i in history_then] == ["Hired"]
    assert [i["type"] for i in api.history(worker_id)] == ["Hired", "GradeChanged"]


def test_a_backdated_fact_changes_the_past_only_as_known_after_it_was_recorded(
    api: Api, tree: Tree
) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2022, "rating": "competent"})
    known_before = datetime.now(UTC).isoformat()
    api.created(  # the 2021 appraisal arrives late, dated before the one already recorded
        f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "competent"}
    )

    then = api.ok(f"/workers/{worker_id}", as_of="2023-01-15", known_at=known_before)
    now = api.ok(f"/workers/{worker_id}", as_of="2023-01-15")
    assert (then["step_clock_years"], now["step_clock_years"]) == (1, 2)


def test_known_at_in_another_timezone_means_the_same_instant(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    beijing = timezone(timedelta(hours=8))
    later = (datetime.now(UTC) + timedelta(hours=1)).astimezone(beijing).isoformat()
    assert api.ok(f"/workers/{worker_id}/history", known_at=later)["items"][0]["type"] == "Hired"


def test_a_worker_not_yet_recorded_at_known_at_is_not_found(api: Api, tree: Tree) -> None:
    long_ago = "2000-01-01T00:00:00Z"
    worker_id = hire(api, tree.community)["worker_id"]
    assert api.get(f"/workers/{worker_id}", known_at=long_ago).status_code == 404


def test_as_of_defaults_to_today(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    today = datetime.now().date().isoformat()
    assert api.ok(f"/workers/{worker_id}")["as_of"] == today
    assert api.ok(f"/units/{tree.community}")["as_of"] == today
