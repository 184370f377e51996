"""Personal identifiers in answers: in full for admins and auditors, an ID number masked for
clerks, and nothing beyond the worker id and name for reporters, wherever a worker appears."""

from __future__ import annotations

from typing import Any

from domain.vocabulary import Role
from tests.e2e.conftest import V1, Api, Tree, hire, hire_body

ID_NUMBER = "340104199005011234"
MASKED = "340***********1234"
BIRTH = "1990-05-01"


def hired(api: Api, tree: Tree) -> str:
    worker_id: str = hire(api, tree.community, id_number=ID_NUMBER, birth_date=BIRTH)["worker_id"]
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "competent"})
    return worker_id


def hired_fact(history: dict[str, Any]) -> dict[str, Any]:
    (fact,) = [item["data"] for item in history["items"] if item["type"] == "Hired"]
    return fact


def test_admins_and_auditors_see_the_whole_id_number_and_birth_date(api: Api, tree: Tree) -> None:
    worker_id = hired(api, tree)
    for reader in (api, api.with_role(Role.AUDITOR)):
        view = reader.ok(f"/workers/{worker_id}")
        fact = hired_fact(reader.ok(f"/workers/{worker_id}/history"))
        assert (view["id_number"], view["birth_date"]) == (ID_NUMBER, BIRTH)
        assert (fact["id_number"], fact["birth_date"]) == (ID_NUMBER, BIRTH)


def test_a_clerk_sees_the_id_number_masked_in_views_histories_and_answers_to_writes(
    api: Api, tree: Tree
) -> None:
    clerk = api.with_role(Role.CLERK, tree.street)
    written = clerk.created(
        "/workers", hire_body(tree.community, id_number=ID_NUMBER), key="hire-masked"
    )
    worker_id = written["worker_id"]
    appraised = clerk.created(
        f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "competent"}
    )
    replayed = clerk.post(
        "/workers", hire_body(tree.community, id_number=ID_NUMBER), key="hire-masked"
    )
    view = clerk.ok(f"/workers/{worker_id}")
    fact = hired_fact(clerk.ok(f"/workers/{worker_id}/history"))

    for shown in (written, appraised, replayed.json(), view, fact):
        assert shown["id_number"] == MASKED
        assert shown["birth_date"] == BIRTH
    # The ledger keeps the whole number: an admin reading the clerk's record sees it.
    assert api.ok(f"/workers/{worker_id}")["id_number"] == ID_NUMBER


def test_a_reporter_sees_no_identifier_beyond_the_worker_id_and_name(api: Api, tree: Tree) -> None:
    worker_id = hired(api, tree)
    reporter = api.with_role(Role.REPORTER)

    view = reporter.ok(f"/workers/{worker_id}")
    fact = hired_fact(reporter.ok(f"/workers/{worker_id}/history"))

    assert (view["worker_id"], view["name"]) == (worker_id, "张三")
    assert (view["id_number"], view["birth_date"]) == (None, None)
    assert (fact["id_number"], fact["birth_date"]) == (None, None)


def test_no_report_or_csv_carries_an_id_number_or_birth_date_for_any_role(
    api: Api, tree: Tree
) -> None:
    hired(api, tree)
    readers = [api, api.with_role(Role.AUDITOR), api.with_role(Role.REPORTER)]
    readers.append(api.with_role(Role.CLERK, tree.street))
    reports = [
        ("/workers", {"as_of": "2022-01-01"}),
        ("/reports/payroll", {"month": "2022-01"}),
        ("/reports/quota-usage", {"as_of": "2022-01-01"}),
        ("/rules/grade-steps", {"as_of": "2030-01-01"}),
        ("/reports/promotion-candidates", {"as_of": "2030-01-01"}),
        ("/reports/dismissals-required", {"as_of": "2030-01-01"}),
    ]
    for reader in readers:
        for path, params in reports:
            for accept in ("application/json", "text/csv"):
                response = reader.client.get(
                    V1 + path, params=params, headers=reader.headers({"Accept": accept})
                )
                assert response.status_code == 200, (path, accept, response.text)
                for identifier in (ID_NUMBER, ID_NUMBER[-4:] + "\n", BIRTH):
                    assert identifier not in response.text, (path, accept)
    roster = api.ok("/workers", as_of="2022-01-01")["items"]
    assert roster and "张三" in {row["name"] for row in roster}
