"""/rules (晋档与奖惩): steps due, promotion candidates and dismissals required as the API
lists them, each with its causes; applying the due steps from the page."""

from __future__ import annotations

import re

import pytest

from domain.vocabulary import Role
from tests.console.conftest import Console
from tests.e2e.conftest import Api, Tree, hire


def appraise(api: Api, worker_id: str, ratings: dict[int, str]) -> None:
    for year, rating in ratings.items():
        api.created(f"/workers/{worker_id}/appraisals", {"year": year, "rating": rating})


def seed(console: Console, tree: Tree, other_street: str) -> dict[str, str]:
    api = console.api
    hired = {
        "晋档": hire(api, tree.community, name="晋档")["worker_id"],
        "优秀": hire(api, tree.street, name="优秀", post="officer")["worker_id"],
        "不称职": hire(api, tree.street, name="不称职")["worker_id"],
        "外街": hire(api, other_street, name="外街")["worker_id"],
    }
    appraise(api, hired["晋档"], {2021: "competent", 2022: "excellent", 2023: "competent"})
    appraise(api, hired["优秀"], {2021: "excellent", 2022: "excellent", 2023: "excellent"})
    appraise(api, hired["不称职"], {2022: "unqualified", 2023: "unqualified"})
    appraise(api, hired["外街"], {2021: "competent", 2022: "competent", 2023: "competent"})
    return hired


def section(html: str, title_id: str) -> str:
    return html.split(f'id="{title_id}"', 1)[1].split("</section>", 1)[0]


def people(html: str) -> list[str]:
    return re.findall(r'href="/workers/([0-9a-f-]{36})\?', html)


def test_each_list_shows_what_the_api_answers_with_its_causes(
    console: Console, tree: Tree, other_street: str
) -> None:
    hired = seed(console, tree, other_street)
    params = {"as_of": "2024-03-01", "unit_id": tree.street}
    page = console.client.get("/rules", params=params)
    assert page.status_code == 200, page.text
    html = page.text
    api = console.api
    for title, path in (
        ("steps-title", "/rules/grade-steps"),
        ("promotions-title", "/reports/promotion-candidates"),
        ("dismissals-title", "/reports/dismissals-required"),
    ):
        listed = [item["worker_id"] for item in api.ok(path, **params)["items"]]
        assert people(section(html, title)) == listed, title
    steps = section(html, "steps-title")
    assert set(people(steps)) == {hired["晋档"], hired["优秀"]}, "excellent years qualify too"
    [step] = [s for s in api.ok("/rules/grade-steps", **params)["items"] if s["name"] == "晋档"]
    assert "2021 称职" in steps and "2022 优秀" in steps and "2023 称职" in steps
    assert "三年晋档" in steps or "three" in steps.lower()
    assert f"<td>{step['policy_version']}</td>" in steps
    assert f'<td class="num">{step["new_grade"]}</td>' in steps
    assert "2024年1月1日" in steps and "南薰门社区" in steps
    assert "连续三年考核优秀" in section(html, "promotions-title")
    dismissals = section(html, "dismissals-title")
    assert "2022 不称职" in dismissals and "2023 不称职" in dismissals
    assert hired["外街"] not in html, "another street is outside the subtree asked for"


def test_applying_the_due_steps_records_them_and_shows_the_result(
    console: Console, tree: Tree, other_street: str
) -> None:
    hired = seed(console, tree, other_street)
    page = console.client.get("/rules", params={"as_of": "2024-03-01", "unit_id": tree.street})
    assert 'action="/rules/apply-steps"' in page.text
    answer = console.client.post(
        "/rules/apply-steps", data={"as_of": "2024-03-01", "unit_id": tree.street}
    )
    assert answer.status_code == 200, answer.text
    assert "已记录 2 项晋档" in answer.text
    history = console.api.history(hired["晋档"])
    stepped = [item for item in history if item["type"] == "GradeStepped"]
    assert len(stepped) == 1 and stepped[0]["recorded_by"] == "管理员"
    assert (
        console.api.ok("/rules/grade-steps", as_of="2024-03-01", unit_id=tree.street)["items"] == []
    )
    assert console.api.ok("/rules/grade-steps", as_of="2024-03-01", unit_id=other_street)[
        "items"
    ], "the other street's step is left for its own clerk"


@pytest.mark.parametrize("role", [Role.REPORTER, Role.AUDITOR])
def test_a_reader_sees_no_apply_button_and_cannot_post(
    console: Console, tree: Tree, other_street: str, role: Role
) -> None:
    seed(console, tree, other_street)
    console.as_person(role)
    page = console.client.get("/rules", params={"as_of": "2024-03-01"})
    assert page.status_code == 200 and "apply-steps" not in page.text
    before = console.api.events_recorded()
    refused = console.client.post("/rules/apply-steps", data={"as_of": "2024-03-01"})
    assert refused.status_code == 403 and 'role="alert"' in refused.text
    assert console.api.events_recorded() == before


def test_a_clerk_sees_and_applies_only_within_their_street(
    console: Console, tree: Tree, other_street: str
) -> None:
    hired = seed(console, tree, other_street)
    console.as_person(Role.CLERK, tree.street)
    page = console.client.get("/rules", params={"as_of": "2024-03-01"}).text
    assert hired["晋档"] in page and hired["外街"] not in page
    assert console.client.get("/rules", params={"unit_id": other_street}).status_code == 403
    before = console.api.events_recorded()
    refused = console.client.post(
        "/rules/apply-steps", data={"as_of": "2024-03-01", "unit_id": other_street}
    )
    assert refused.status_code == 403
    assert console.api.events_recorded() == before
    done = console.client.post("/rules/apply-steps", data={"as_of": "2024-03-01"})
    assert "已记录 2 项晋档" in done.text
