"""POST /simulations: a draft policy replayed over the history, answered in pages or as CSV;
nothing is ever recorded, and bad input is refused with every problem named."""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.policy import load_document
from domain.vocabulary import Role
from ledger.adapters.spreadsheets import XLSX_MEDIA_TYPE
from projections.simulation import Draft, report, run, simulate
from seed.generate import generate
from tests.e2e.conftest import Api, assert_problem

WINDOW = {"from_month": "2016-01", "to_month": "2019-12"}


@pytest.fixture
def history(api: Api) -> Api:
    generate(api.ledger, workers=30, years=4, seed=11)
    return api


def two_year_steps() -> dict[str, Any]:
    document = copy.deepcopy(load_document("baohe-2020"))
    document["id"] = "baohe-2020-two-year-steps"
    document.pop("effective_from")
    document["parameters"]["step_years"]["value"] = 2
    return document


def test_the_adopted_pack_as_a_draft_changes_nothing_and_records_nothing(history: Api) -> None:
    before = history.events_recorded()

    response = history.post("/simulations", {"policy": "baohe-2020", **WINDOW})

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["policy"]["id"] == "baohe-2020"
    assert answer["items"] == [] and answer["next_cursor"] is None
    assert answer["totals"]["workers_compared"] > 30
    assert answer["totals"]["workers_affected"] == 0
    assert answer["totals"]["difference"]["total"] == "0.00"
    assert len(answer["months"]) == 48
    assert answer["units"] and answer["units"][0]["kind_label"] == "区"
    assert history.events_recorded() == before


def test_a_draft_is_answered_a_page_at_a_time_and_as_csv(history: Api) -> None:
    before = history.events_recorded()
    body = {"policy": two_year_steps(), **WINDOW}

    first = history.post("/simulations", body, params={"limit": 3}).json()
    affected = first["totals"]["workers_affected"]
    assert affected > 3 and len(first["items"]) == 3
    worker = first["items"][0]
    assert worker["steps"]["gained"] and worker["first_month"] <= worker["months"][0]["from_month"]
    assert worker["months"][0]["draft"]["grade"] > worker["months"][0]["adopted"]["grade"]
    assert worker["months"][0]["draft"]["post_label"]  # the Chinese label beside the code

    seen = [w["worker_id"] for w in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = history.post("/simulations", body, params={"limit": 3, "cursor": cursor}).json()
        assert page["totals"] == first["totals"]  # every page answers the same totals
        seen += [w["worker_id"] for w in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == affected and seen == sorted(seen)

    spreadsheet = history.post("/simulations", body, headers={"Accept": "text/csv"})
    assert spreadsheet.status_code == 200
    assert spreadsheet.headers["content-type"].startswith("text/csv")
    assert spreadsheet.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(spreadsheet.content.decode("utf-8-sig"))))
    assert [r["worker_id"] for r in rows] == seen
    assert all(r["steps_gained"] or r["steps_lost"] for r in rows)
    assert any("助理" in r["grades"] or "主办" in r["grades"] for r in rows)
    assert history.events_recorded() == before


def test_a_simulation_answers_a_workbook_with_the_csv_lines(history: Api) -> None:
    """Finance compares a draft in a spreadsheet: the .xlsx holds the CSV's lines."""
    body = {"policy": two_year_steps(), **WINDOW}
    as_csv = history.post("/simulations", body, headers={"Accept": "text/csv"})
    as_xlsx = history.post("/simulations", body, headers={"Accept": XLSX_MEDIA_TYPE})

    assert as_xlsx.status_code == 200, as_xlsx.text
    assert as_xlsx.headers["content-type"] == XLSX_MEDIA_TYPE
    assert as_xlsx.headers["content-disposition"].endswith('simulation-2016-01-2019-12.xlsx"')
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(lines) > 1
    assert [h.rsplit(" ", 1)[-1] for h in rows[0]] == lines[0]  # bilingual headers
    ids = lines[0].index("worker_id")
    assert [r[ids] for r in rows[1:]] == [line[ids] for line in lines[1:]]


def test_a_bad_draft_is_refused_with_the_list_of_its_problems(history: Api) -> None:
    before = history.events_recorded()
    document = two_year_steps()
    document["parameters"]["step_years"]["value"] = 0
    del document["parameters"]["average_wages"]
    document["parameters"]["pay_coefficients"]["value"]["assistant"].pop("7")
    document["effective_from"] = "next spring"

    response = history.post("/simulations", {"policy": document, **WINDOW})

    problem = assert_problem(response, 422, "policy_invalid")
    messages = " | ".join(e["message"] for e in problem["errors"])
    for named in ("step_years", "average_wages", "pay_coefficients.assistant", "effective_from"):
        assert named in messages
    assert history.events_recorded() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"policy": "no-such-pack", **WINDOW}, "policy"),
        ({"policy": "/etc/passwd", **WINDOW}, "policy"),
        ({"policy": "baohe-2020", "from_month": "2016-13", "to_month": "2017-01"}, "from_month"),
        ({"policy": "baohe-2020", "from_month": "2016-01", "to_month": "2016"}, "to_month"),
        ({"policy": "baohe-2020", "from_month": "2017-01", "to_month": "2016-12"}, "to_month"),
        ({"policy": "baohe-2020", "from_month": "1800-01", "to_month": "2016-12"}, "from_month"),
        ({"policy": 42, **WINDOW}, "policy"),
        ({"policy": "baohe-2020", **WINDOW, "extra": 1}, "extra"),
    ],
)
def test_malformed_requests_are_refused_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    before = api.events_recorded()
    assert_problem(api.post("/simulations", body), 422, "validation_error", field)
    assert api.events_recorded() == before


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 0}, "limit"), ({"cursor": "x"}, "cursor")]
)
def test_a_bad_page_request_is_refused(api: Api, params: dict[str, Any], field: str) -> None:
    response = api.post("/simulations", {"policy": "baohe-2020", **WINDOW}, params=params)
    assert_problem(response, 422, "validation_error", field)


def test_every_role_may_simulate_and_a_clerk_only_within_their_subtree(history: Api) -> None:
    units = history.post("/simulations", {"policy": "baohe-2020", **WINDOW}).json()["units"]
    district = units[0]["unit_id"]
    street = next(u for u in units if u["kind"] == "street_office")
    community = next(u for u in units if u["parent_id"] == street["unit_id"])
    body = {"policy": "chibi-2020", **WINDOW}

    for role in (Role.AUDITOR, Role.REPORTER):
        assert history.with_role(role).post("/simulations", body).status_code == 200
    clerk = history.with_role(Role.CLERK, street["unit_id"])
    own = clerk.post("/simulations", body).json()
    assert own["unit_id"] == street["unit_id"]
    assert {u["unit_id"] for u in own["units"]} == {street["unit_id"]} | {
        u["unit_id"] for u in units if u["parent_id"] == street["unit_id"]
    }
    below = clerk.post("/simulations", {**body, "unit_id": community["unit_id"]})
    assert below.status_code == 200
    above = clerk.post("/simulations", {**body, "unit_id": district})
    assert_problem(above, 403, "forbidden", "unit_id")
    unknown = history.post(
        "/simulations", {**body, "unit_id": "7" * 8 + "-7777-4777-8777-" + "7" * 12}
    )
    assert_problem(unknown, 404, "not_found", "unit_id")
    assert_problem(history.as_token(None).post("/simulations", body), 401, "unauthorized")


def test_a_pay_only_draft_is_answered_from_the_read_models_as_the_replay_answers(
    history: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = copy.deepcopy(load_document("baohe-2020"))
    document.pop("effective_from")
    document["parameters"]["average_wages"]["value"] = {"2019": "45000"}
    body = {"policy": document, **WINDOW}
    chosen = Draft.from_document(document)
    replayed = simulate(history.ledger, chosen, "2016-01", "2019-12", limit=4)

    def no_replay(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a pay-only draft is not replayed")

    monkeypatch.setattr(run, "in_processes", no_replay)
    pages, after = [], None
    while True:
        params = {"limit": 4, **({"cursor": after} if after else {})}
        page = history.post("/simulations", body, params=params)
        assert page.status_code == 200, page.text
        pages.append(page.json())
        after = pages[-1]["next_cursor"]
        if after is None:
            break

    assert pages[0]["totals"]["workers_affected"] > 4
    assert {k: v for k, v in pages[0].items() if k not in ("unit_id",)} == json.loads(
        json.dumps(
            {
                **report.summary(replayed, chosen.describe()),
                "items": [report.worker(found) for found in replayed.items],
                "next_cursor": replayed.next_cursor,
            }
        )
    )
