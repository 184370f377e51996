"""POST /policies, GET /policies, GET /policies/current, and the reports following an adoption."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.policy import load_document
from domain.vocabulary import Role
from ledger.settings import Settings
from tests.e2e.conftest import Api, Tree, assert_problem, hire, make_tree

NEXT_JANUARY = date(date.today().year + 1, 1, 1)
DECEMBER = f"{NEXT_JANUARY.year - 1}-12"
JANUARY = f"{NEXT_JANUARY.year}-01"
REF = "包政〔2026〕12号"


def raised() -> dict[str, Any]:
    """The bootstrap pack with a higher wage for the year before NEXT_JANUARY."""
    document = copy.deepcopy(load_document("baohe-2020"))
    document["id"] = f"baohe-{NEXT_JANUARY.year}"
    wages = document["parameters"]["average_wages"]["value"]
    wages[str(NEXT_JANUARY.year - 1)] = "48000"  # base 0.8 x 48 000 / 12 = 3200.00
    return document


def adopt_body(policy: Any = None, effective: date = NEXT_JANUARY) -> dict[str, Any]:
    return {
        "policy": raised() if policy is None else policy,
        "effective_date": effective.isoformat(),
        "document_ref": REF,
    }


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["name"]: line for line in report["lines"]}


def test_an_admin_adopts_a_version_and_it_is_listed_with_who_adopted_it(api: Api) -> None:
    adopted = api.created("/policies", adopt_body())

    assert adopted["version"] == 2
    assert adopted["policy_id"] == f"baohe-{NEXT_JANUARY.year}"
    assert (adopted["effective_date"], adopted["document_ref"]) == (NEXT_JANUARY.isoformat(), REF)
    listed = api.ok("/policies")
    assert listed["next_cursor"] is None
    first, second = listed["items"]
    assert (first["version"], first["policy_id"], first["recorded_by"]) == (
        1,
        "baohe-2020",
        "system",
    )
    assert first["effective_to"] == NEXT_JANUARY.isoformat()
    assert (second["version"], second["effective_date"], second["effective_to"]) == (
        2,
        NEXT_JANUARY.isoformat(),
        None,
    )
    assert second["recorded_by"] == "first-admin" and second["document_ref"] == REF
    assert second["recorded_at"] == adopted["recorded_at"]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.REPORTER, Role.CLERK])
def test_every_role_reads_the_policies_and_only_an_admin_adopts_one(
    api: Api, tree: Tree, role: Role
) -> None:
    caller = api.with_role(role, tree.street if role is Role.CLERK else None)
    before = api.events_recorded()

    assert_problem(caller.post("/policies", adopt_body()), 403, "forbidden")

    assert api.events_recorded() == before
    assert [v["version"] for v in caller.ok("/policies")["items"]] == [1]
    assert caller.ok("/policies/current")["version"] == 1


def test_a_bad_policy_is_refused_with_every_problem_listed_and_records_nothing(api: Api) -> None:
    document = raised()
    del document["parameters"]["pay_coefficients"]["value"]["assistant"]["12"]
    document["parameters"]["post_grades"]["value"]["officer"] = [14, 3]
    before = api.events_recorded()

    problem = assert_problem(api.post("/policies", adopt_body(document)), 422, "policy_invalid")

    assert [e["message"] for e in problem["errors"]] == [
        "parameters.post_grades.officer: must be [lowest, highest] with 1 <= lowest <= highest",
        "parameters.pay_coefficients.assistant: no coefficient for grades [12]",
    ]
    assert api.events_recorded() == before


@pytest.mark.parametrize(
    "policy", ["no-such-pack", "/etc/passwd", 7, ["baohe-2020"]], ids=["pack", "path", "n", "list"]
)
def test_a_policy_that_is_neither_a_document_nor_a_shipped_pack_is_refused(
    api: Api, policy: Any
) -> None:
    before = api.events_recorded()

    assert_problem(api.post("/policies", adopt_body(policy)), 422, "validation_error", "policy")

    assert api.events_recorded() == before


def test_a_shipped_pack_is_adopted_by_its_name(api: Api) -> None:
    assert api.created("/policies", adopt_body("chibi-2020"))["policy_id"] == "chibi-2020"


def test_a_version_dated_on_or_before_the_latest_is_refused(api: Api) -> None:
    api.created("/policies", adopt_body())
    before = api.events_recorded()

    for day in (NEXT_JANUARY, date(2022, 1, 1)):
        response = api.post("/policies", adopt_body(effective=day))
        assert_problem(response, 409, "policy_out_of_order", "effective_date")

    assert api.events_recorded() == before


def test_the_same_idempotency_key_adopts_once(api: Api) -> None:
    first = api.created("/policies", adopt_body(), key="adopt-2027")
    again = api.created("/policies", adopt_body(), key="adopt-2027")

    assert again == first
    assert [v["version"] for v in api.ok("/policies")["items"]] == [1, 2]


def test_current_answers_the_version_in_force_on_the_date_as_known_at_the_time(api: Api) -> None:
    known_before = datetime.now(UTC).isoformat()
    api.created("/policies", adopt_body())

    december = api.ok("/policies/current", as_of=f"{DECEMBER}-31")
    january = api.ok("/policies/current", as_of=NEXT_JANUARY.isoformat())
    then = api.ok("/policies/current", as_of=NEXT_JANUARY.isoformat(), known_at=known_before)

    assert (december["version"], january["version"], then["version"]) == (1, 2, 1)
    wages = january["parameters"]["average_wages"]
    assert wages["value"][str(NEXT_JANUARY.year - 1)] == "48000"
    assert wages["source"] == "default" and wages["note"]
    assert december["parameters"]["step_years"] == {
        "value": 3,
        "source": "seed",
        "note": december["parameters"]["step_years"]["note"],
    }
    assert january["as_of"] == NEXT_JANUARY.isoformat() and then["known_at"] is not None
    assert [v["version"] for v in api.ok("/policies", known_at=known_before)["items"]] == [1]


def test_the_list_is_paginated_with_a_cursor(api: Api) -> None:
    api.created("/policies", adopt_body())

    page = api.ok("/policies", limit=1)
    rest = api.ok("/policies", limit=1, cursor=page["next_cursor"])

    assert [v["version"] for v in page["items"]] == [1] and page["next_cursor"]
    assert [v["version"] for v in rest["items"]] == [2] and rest["next_cursor"] is None
    assert_problem(api.get("/policies", cursor="not-a-cursor"), 422, "validation_error", "cursor")


def test_adopting_a_policy_effective_next_january_changes_no_payroll_month_before_it(
    api: Api, tree: Tree
) -> None:
    hire(api, tree.community, name="网格员", post="assistant", grade=1, hire_date="2022-01-01")
    hire(api, tree.community, name="书记", post="director", grade=18, hire_date="2022-01-01")
    months = ["2022-01", f"{NEXT_JANUARY.year - 1}-06", DECEMBER]
    before = {m: api.ok("/reports/payroll", month=m) for m in months}
    known_before = datetime.now(UTC).isoformat()

    api.created("/policies", adopt_body())

    for month in months:
        assert api.ok("/reports/payroll", month=month) == before[month], month
    january = by_name(api.ok("/reports/payroll", month=JANUARY))
    assert january["网格员"]["base"] == "3200.00" and january["网格员"]["total"] == "3200.00"
    assert january["书记"]["total"] == "5866.24"  # 1.8332 x 3200.00
    assert {line["policy_version"] for line in january.values()} == {2}
    then = by_name(api.ok("/reports/payroll", month=JANUARY, known_at=known_before))
    assert (then["网格员"]["total"], then["书记"]["total"]) == ("2620.00", "4802.98")


# -- the chibi-2020 pack: Chibi's published pay ------------------------------------------------
@pytest.fixture
def chibi(store: str) -> Iterator[Api]:
    app = create_app(Settings(database_url=store, policy="chibi-2020"))
    with TestClient(app) as client:
        yield Api(client, app.state.first_admin_token)


def test_chibi_pays_a_new_grid_worker_2620_and_the_top_grade_4802_98(chibi: Api) -> None:
    tree = make_tree(chibi)
    grid = hire(chibi, tree.community, name="网格员", post="assistant", grade=1)
    top = hire(chibi, tree.community, name="书记", post="director", grade=18)

    report = by_name(chibi.ok("/reports/payroll", month="2021-06"))

    assert chibi.ok("/policies/current")["policy_id"] == "chibi-2020"
    assert (report["网格员"]["grade"], report["网格员"]["total"]) == (1, "2620.00")
    assert (report["书记"]["grade"], report["书记"]["total"]) == (18, "4802.98")
    worker = chibi.ok(f"/workers/{top['worker_id']}", as_of="2021-06-01")
    assert worker["monthly_pay"] == "4802.98"
    assert chibi.ok(f"/workers/{grid['worker_id']}", as_of="2021-06-01")["monthly_pay"] == (
        "2620.00"
    )
    assert Decimal(report["书记"]["coefficient"]) == Decimal("1.8332")


def test_before_the_ledger_knew_any_policy_the_list_is_empty_and_current_is_not_found(
    api: Api,
) -> None:
    long_ago = "2000-01-01T00:00:00Z"

    assert api.ok("/policies", known_at=long_ago)["items"] == []
    assert_problem(api.get("/policies/current", known_at=long_ago), 404, "not_found", "known_at")


def test_the_document_in_force_with_one_number_changed_is_simulated_and_adopted(
    api: Api,
) -> None:
    got = api.get("/policies/current/document")
    assert got.status_code == 200, got.text
    document = got.json()
    assert document == load_document("baohe-2020")  # exactly as adopted
    document["parameters"]["step_years"]["value"] = 2  # the one number changed

    simulated = api.post(
        "/simulations", {"policy": document, "from_month": "2021-01", "to_month": "2021-12"}
    )
    assert simulated.status_code == 200, simulated.text
    adopted = api.post("/policies", adopt_body(document))
    assert adopted.status_code == 201, adopted.text
    later = api.get("/policies/current/document", as_of=NEXT_JANUARY.isoformat()).json()
    assert later["parameters"]["step_years"]["value"] == 2


def test_the_policy_schema_is_published_and_the_shipped_packs_conform_to_it(api: Api) -> None:
    import jsonschema_rs

    answer = api.get("/policies/schema")
    assert answer.status_code == 200
    schema = answer.json()
    validator = jsonschema_rs.validator_for(schema)
    for pack in ("baohe-2020", "chibi-2020"):
        assert validator.is_valid(load_document(pack)), pack
    document = load_document("chibi-2020")
    document["parameters"]["step_years"]["value"] = "3"
    document["parameters"]["bonus"] = {"value": 1, "source": "seed"}
    errors = list(validator.iter_errors(document))
    assert len(errors) == 2
