"""GET /reports/payroll: a month's pay and its funding split, now or as known at a time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.policy import load_document
from domain.policy_book import POLICY_BOOK_ID, PolicyBook
from domain.vocabulary import Role
from projections.queries.payroll import COLUMNS
from tests.e2e.conftest import V1, Api, Tree, assert_problem, hire


def payroll(api: Api, month: str, **params: Any) -> dict[str, Any]:
    return api.ok("/reports/payroll", month=month, **params)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["name"]: line for line in report["lines"]}


def adopt(api: Api, document: dict[str, Any], effective: date) -> None:
    """A second policy version, recorded as POST /policies would."""
    book = api.ledger.repository.get(POLICY_BOOK_ID)
    assert isinstance(book, PolicyBook)
    book.adopt(document, effective, "赤政〔2023〕1号")
    api.ledger.save(book)


def test_each_paid_worker_has_a_line_with_coefficient_base_allowance_and_funding(
    api: Api, tree: Tree
) -> None:
    hire(api, tree.community, name="网格员", post="assistant", grade=1, hire_date="2022-01-01")
    hire(api, tree.community, name="书记", post="director", grade=18, hire_date="2022-01-01")

    report = payroll(api, "2022-06")

    lines = by_name(report)
    assistant, director = lines["网格员"], lines["书记"]
    assert (assistant["post"], assistant["post_label"], assistant["grade"]) == (
        "assistant",
        "助理",
        1,
    )
    assert (assistant["coefficient"], assistant["base"], assistant["allowance"]) == (
        "1.0000",
        "2620.00",
        "0.00",
    )
    assert (assistant["total"], assistant["city_share"], assistant["local_share"]) == (
        "2620.00",
        "2620.00",
        "0.00",
    ), "the city pays all of a full-time assistant's pay"
    assert (director["post_label"], director["coefficient"], director["total"]) == (
        "主管",
        "1.8332",
        "4802.98",
    )
    assert (director["city_share"], director["local_share"]) == ("3362.09", "1440.89")
    assert director["unit_id"] == tree.community and director["policy_version"] == 1
    assert report["month"] == "2022-06" and report["known_at"] is None
    assert report["totals"] == {
        "workers": 2,
        "total": "7422.98",
        "city_share": "5982.09",
        "local_share": "1440.89",
    }


def test_the_totals_add_up_over_the_lines(api: Api, tree: Tree) -> None:
    for index, post in enumerate(("assistant", "officer", "deputy_director")):
        hire(api, tree.street, name=f"工作者{index}", post=post, hire_date="2021-01-01")

    report = payroll(api, "2021-07")

    lines = report["lines"]
    for key in ("total", "city_share", "local_share"):
        assert Decimal(report["totals"][key]) == sum(Decimal(line[key]) for line in lines)
    for line in lines:
        assert Decimal(line["city_share"]) + Decimal(line["local_share"]) == Decimal(line["total"])
    assert report["totals"]["workers"] == len(lines) == 3


def test_a_month_pays_the_state_of_its_first_day_and_a_certificate_from_its_month(
    api: Api, tree: Tree
) -> None:
    worker_id = hire(api, tree.community, grade=1, hire_date="2021-03-15")["worker_id"]
    api.created(
        f"/workers/{worker_id}/certificates",
        {"level": "social_worker", "effective_date": "2021-05-31"},
    )
    api.created(
        f"/workers/{worker_id}/dismissal",
        {"effective_date": "2021-08-02", "reason": "resignation"},
    )

    def paid(month: str) -> str | None:
        lines = payroll(api, month)["lines"]
        return lines[0]["total"] if lines else None

    assert paid("2021-03") is None, "hired after the first of the month"
    assert paid("2021-04") == "2620.00"
    assert paid("2021-05") == "2820.00", "the certificate counts from the month obtained"
    assert paid("2021-08") == "2820.00", "still in post on the first of August"
    assert paid("2021-09") is None, "dismissal ends pay"


def test_a_unit_s_payroll_covers_its_subtree_only(api: Api, tree: Tree) -> None:
    hire(api, tree.community, name="社区", hire_date="2021-01-01")
    hire(api, tree.street, name="街道", hire_date="2021-01-01")

    community = payroll(api, "2021-02", unit_id=tree.community)
    street = payroll(api, "2021-02", unit_id=tree.street)

    assert set(by_name(community)) == {"社区"} and community["unit_id"] == tree.community
    assert set(by_name(street)) == {"社区", "街道"}


def test_a_clerk_reads_only_their_subtree_and_a_reporter_reads_all(api: Api, tree: Tree) -> None:
    hire(api, tree.community, name="社区", hire_date="2021-01-01")
    hire(api, tree.street, name="街道", hire_date="2021-01-01")
    clerk = api.with_role(Role.CLERK, tree.community)

    refused = clerk.get("/reports/payroll", month="2021-02", unit_id=tree.street)
    own = clerk.ok("/reports/payroll", month="2021-02")
    everyone = api.with_role(Role.REPORTER).ok("/reports/payroll", month="2021-02")

    assert_problem(refused, 403, "forbidden", "unit_id")
    assert set(by_name(own)) == {"社区"}
    assert set(by_name(everyone)) == {"社区", "街道"}
    assert set(everyone["lines"][0]) == {*COLUMNS}, "name and id only, no identity number"


@pytest.mark.parametrize("month", ["2023-13", "2023-00", "2023-1", "23-01", "january", ""])
def test_a_month_that_is_not_yyyy_mm_is_refused_naming_month(api: Api, month: str) -> None:
    response = api.get("/reports/payroll", month=month)

    assert_problem(response, 422, "validation_error", "month")


def test_a_missing_month_or_a_naive_known_at_is_refused(api: Api) -> None:
    assert_problem(api.get("/reports/payroll"), 422, "validation_error", "month")
    naive = api.get("/reports/payroll", month="2024-01", known_at="2024-01-31T18:00:00")
    assert_problem(naive, 422, "validation_error", "known_at")


def test_an_unknown_unit_is_not_found(api: Api) -> None:
    response = api.get("/reports/payroll", month="2024-01", unit_id=str(POLICY_BOOK_ID))

    assert_problem(response, 404, "not_found", "unit_id")


def test_csv_has_a_bom_a_bilingual_header_and_one_row_per_line(api: Api, tree: Tree) -> None:
    hire(api, tree.community, name="张三", post="officer", hire_date="2021-01-01")
    hire(api, tree.community, name="李四", hire_date="2021-01-01")

    response = api.client.get(
        f"{V1}/reports/payroll",
        params={"month": "2021-06"},
        headers=api.headers({"Accept": "text/csv"}),
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["人员ID worker_id", "姓名 name", "单位ID unit_id", "单位名称 unit_name"]
    codes = [h.rsplit(" ", 1)[-1] for h in lines[0]]
    assert codes == list(COLUMNS), "each header ends with its code"
    rows = [dict(zip(codes, line, strict=True)) for line in lines[1:]]
    json_lines = payroll(api, "2021-06")["lines"]
    cell = lambda v: "" if v is None else str(v)  # noqa: E731 - a null is an empty cell
    assert [{k: cell(v) for k, v in line.items()} for line in json_lines] == rows
    assert {row["post_label"] for row in rows} == {"主办", "助理"}
    assert {row["unit_name"] for row in rows} == {"南薰门社区"}


def test_each_month_uses_the_policy_version_in_force_on_its_first_day(api: Api, tree: Tree) -> None:
    hire(api, tree.community, name="网格员", post="assistant", grade=1, hire_date="2022-01-01")
    hire(api, tree.community, name="书记", post="director", grade=18, hire_date="2022-01-01")
    chibi = load_document("chibi-2020")
    chibi["parameters"]["average_wages"]["value"]["2022"] = "45000"
    adopt(api, chibi, date(2023, 1, 1))

    december, january = by_name(payroll(api, "2022-12")), by_name(payroll(api, "2023-01"))

    assert (december["网格员"]["total"], december["书记"]["total"]) == ("2620.00", "4802.98")
    assert december["书记"]["policy_version"] == 1
    assert january["网格员"]["base"] == "3000.00", "0.8 x 45000 / 12"
    assert (january["网格员"]["total"], january["书记"]["total"]) == ("3000.00", "5499.60")
    assert january["书记"]["policy_version"] == 2


def test_january_as_known_on_31_january_against_now_gives_the_arrears_of_a_backdated_grade(
    api: Api, tree: Tree
) -> None:
    worker_id = hire(api, tree.community, grade=2, hire_date="2023-03-01")["worker_id"]
    hire(api, tree.community, name="李四", grade=5, hire_date="2023-03-01")
    known_on_31_january = datetime.now(UTC).isoformat()
    # Recorded "in February": a grade change effective on 1 January.
    api.created(
        f"/workers/{worker_id}/grade-changes",
        {"grade": 4, "effective_date": "2024-01-01", "reason": "correction"},
    )

    then = payroll(api, "2024-01", known_at=known_on_31_january)
    now = payroll(api, "2024-01")
    also_now = payroll(api, "2024-01", known_at=datetime.now(UTC).isoformat())

    before, after = by_name(then)["张三"], by_name(now)["张三"]
    assert (before["grade"], after["grade"]) == (2, 4)
    arrears = Decimal(now["totals"]["total"]) - Decimal(then["totals"]["total"])
    change = Decimal(after["coefficient"]) - Decimal(before["coefficient"])
    # (1.1470 - 1.0490) x 2620.00: both totals are exact to the fen, so no rounding apart
    assert arrears == change * Decimal(after["base"]) == Decimal("256.76")
    assert by_name(then)["李四"] == by_name(now)["李四"], "nothing else changed"
    assert then["known_at"] is not None
    assert also_now["lines"] == now["lines"] and also_now["totals"] == now["totals"]


def test_a_worker_hired_after_known_at_is_not_on_that_payroll(api: Api, tree: Tree) -> None:
    hire(api, tree.community, name="早", hire_date="2021-01-01")
    known = datetime.now(UTC).isoformat()
    hire(api, tree.community, name="晚", hire_date="2021-01-01")

    then = payroll(api, "2021-02", known_at=known, unit_id=tree.street)

    assert set(by_name(then)) == {"早"}
    assert set(by_name(payroll(api, "2021-02"))) == {"早", "晚"}
