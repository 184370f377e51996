"""If-Match: a change decided on what a clerk read is refused if the record changed since.

The domain's checks run against the latest state, so no racing write is ever
lost; but a person decides on what they saw. ``GET`` answers a worker's or
unit's version as its ``ETag``; a change sent with it as ``If-Match`` is
refused with 409 ``concurrent_modification`` once someone else has changed
the record in between, and nothing is recorded.
"""

from __future__ import annotations

from tests.e2e.conftest import Api, Tree, assert_problem, hire, hire_body

GRADE_CHANGE = {"grade": 6, "effective_date": "2022-01-01", "reason": "reward"}


def test_a_worker_answers_its_version_as_its_etag(api: Api, tree: Tree) -> None:
    worker = hire(api, tree.community)
    response = api.get(f"/workers/{worker['worker_id']}")
    assert response.headers["ETag"] == f'"{worker["version"]}"'
    assert response.json()["version"] == worker["version"]


def test_a_change_with_the_current_etag_is_recorded(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    tag = api.get(f"/workers/{worker_id}").headers["ETag"]
    changed = api.created(
        f"/workers/{worker_id}/grade-changes", GRADE_CHANGE, headers={"If-Match": tag}
    )
    assert changed["grade"] == 6
    assert api.get(f"/workers/{worker_id}").headers["ETag"] != tag


def test_a_change_decided_on_a_stale_version_is_refused_and_records_nothing(
    api: Api, tree: Tree
) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    seen = api.get(f"/workers/{worker_id}").headers["ETag"]
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "excellent"})
    before = api.events_recorded()

    response = api.post(
        f"/workers/{worker_id}/grade-changes", GRADE_CHANGE, headers={"If-Match": seen}
    )

    assert_problem(response, 409, "concurrent_modification", "If-Match")
    assert api.events_recorded() == before


def test_a_retry_with_its_idempotency_key_gets_the_first_answer_not_a_conflict(
    api: Api, tree: Tree
) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    seen = api.get(f"/workers/{worker_id}").headers["ETag"]
    first = api.post(
        f"/workers/{worker_id}/grade-changes", GRADE_CHANGE, key="k-1", headers={"If-Match": seen}
    )
    again = api.post(
        f"/workers/{worker_id}/grade-changes", GRADE_CHANGE, key="k-1", headers={"If-Match": seen}
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()


def test_any_version_and_a_list_of_versions_are_understood(api: Api, tree: Tree) -> None:
    worker = hire(api, tree.community)
    path = f"/workers/{worker['worker_id']}/appraisals"
    api.created(path, {"year": 2021, "rating": "competent"}, headers={"If-Match": "*"})
    current = worker["version"] + 1
    api.created(
        path, {"year": 2022, "rating": "competent"}, headers={"If-Match": f'"1", "{current}"'}
    )


def test_a_malformed_if_match_is_refused_naming_it(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    for value in ('W/"1"', "latest", '"1"x'):
        response = api.post(
            f"/workers/{worker_id}/grade-changes", GRADE_CHANGE, headers={"If-Match": value}
        )
        assert_problem(response, 422, "validation_error", "If-Match")


def test_if_match_on_a_write_that_creates_a_record_is_refused_not_ignored(
    api: Api, tree: Tree
) -> None:
    before = api.events_recorded()
    response = api.post("/workers", hire_body(tree.community), headers={"If-Match": '"1"'})
    assert_problem(response, 422, "validation_error", "If-Match")
    assert api.events_recorded() == before


def test_a_units_quota_approval_decided_on_a_stale_version_is_refused(api: Api, tree: Tree) -> None:
    seen = api.get(f"/units/{tree.community}").headers["ETag"]
    approval = {"quota": 4, "effective_date": "2023-01-01", "document_ref": "包编〔2023〕1号"}
    api.created(f"/units/{tree.community}/quota-approvals", approval)
    later = {**approval, "quota": 5, "document_ref": "包编〔2023〕2号"}
    response = api.post(
        f"/units/{tree.community}/quota-approvals", later, headers={"If-Match": seen}
    )
    assert_problem(response, 409, "concurrent_modification", "If-Match")
    current = api.get(f"/units/{tree.community}").headers["ETag"]
    api.created(f"/units/{tree.community}/quota-approvals", later, headers={"If-Match": current})
