"""Journeys through the console's pages in a real browser, on the demo district.

One live server over a copy of the demo district (``ledger demo``'s 包河区) serves every
journey here; they only read, except the one backdated fact recorded when the server is
set up (to see 查看日期 and 知情时间 move the card) and the refused actions (which must
record nothing). Every page is watched for console errors and content-security-policy
violations, and must never show a stack trace.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import httpx
import openpyxl
import pytest

from domain.access import Actor
from domain.vocabulary import CertificateLevel, Role
from ledger.commands import AddCertificate
from tests.browser.conftest import LiveServer, serve
from tests.browser.test_sign_in_journeys import CHOSEN, sign_in
from tests.integration.application_support import as_, event_log
from tests.integration.demo_district import demo_copy

CHINA = timezone(timedelta(hours=8))
FULL_ID_NUMBER = re.compile(r"\b\d{17}[\dX]\b")
# Recorded after the moment `District.before`, effective long before it.
BACKDATED = date(2025, 3, 1)
MAIN_PAGES = (
    "/units",
    "/workers?q=王",
    "/rules?as_of=2026-01-01",
    "/payroll?month=2025-06",
    "/what-if",
)


@dataclass
class District:
    live: LiveServer
    token: str
    streets: list[dict[str, Any]]  # the district's street offices, in the API's order
    backdated: str  # a worker given a certificate effective BACKDATED, recorded after...
    before: datetime  # ...this moment

    def api(self, path: str, **params: Any) -> Any:
        answer = httpx.get(
            f"{self.live.url}/api/v1{path}",
            params=params,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def person(self, unit_id: str, **params: Any) -> dict[str, Any]:
        """The first active worker of a unit's subtree on 2026-01-01."""
        found: dict[str, Any] = self.api(
            "/workers", unit_id=unit_id, as_of="2026-01-01", status="active", limit=1, **params
        )["items"][0]
        return found

    def account(self, role: Role, unit_id: str | None = None) -> str:
        """A ready account (its first password already changed to CHOSEN)."""
        name = f"{role.value}-{uuid4().hex[:8]}"
        ledger = self.live.ledger
        once = ledger.create_account(name, role, UUID(unit_id) if unit_id else None)
        secret, _ = ledger.sign_in(name, once)
        ledger.change_password(secret, once, CHOSEN)
        ledger.sign_out(secret)
        return name


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    folder = tmp_path_factory.mktemp("district")
    demo_copy(tmp_path_factory, folder)
    for live in serve(folder):
        token = live.ledger.create_token("journeys", Role.ADMIN)
        probe = District(live, token, [], "", datetime.now(CHINA))
        top = probe.api("/units")["items"][0]["unit_id"]
        probe.streets = probe.api("/units", parent_id=top)["items"]
        listed = probe.api(
            "/workers",
            unit_id=probe.streets[0]["unit_id"],
            as_of="2026-01-01",
            status="active",
            limit=50,
        )["items"]
        worker = next(
            w
            for w in listed
            if w["hire_date"] < "2024-01-01"
            and not probe.api(f"/workers/{w['worker_id']}", as_of="2026-01-01")["certificate"]
        )
        time.sleep(1.1)  # moments in the console's fields are to the second
        probe.before = datetime.now(CHINA).replace(microsecond=0)
        time.sleep(1.1)
        live.ledger.add_certificate(
            as_(Actor("骆科员", Role.ADMIN)),
            AddCertificate(
                worker_id=UUID(worker["worker_id"]),
                level=CertificateLevel.SOCIAL_WORKER,
                effective_date=BACKDATED,
            ),
        )
        probe.backdated = worker["worker_id"]
        yield probe


@pytest.fixture
def watched(page: Any) -> Iterator[list[str]]:
    """The page, with every console error, uncaught exception and CSP violation kept."""
    problems: list[str] = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "response",
        lambda answer: (
            problems.append(f"status of {answer.status}: {answer.url}")
            if answer.status >= 400
            else None
        ),
    )
    yield problems


def signed_in(
    page: Any, district: District, role: Role = Role.ADMIN, unit: str | None = None
) -> None:
    sign_in(page, district.live, district.account(role, unit), CHOSEN)
    assert urlsplit(page.url).path == "/"


def visit(page: Any, district: District, path: str, status: int = 200) -> None:
    answer = page.goto(district.live.url + path)
    assert answer.status == status, path
    page.wait_for_load_state("networkidle")
    assert "Traceback" not in page.content(), path


def card_value(page: Any, label: str) -> str:
    text: str = page.locator(f"dl.card dt:text-is('{label}') + dd").inner_text()
    return text.strip()


def test_a_person_found_by_part_of_the_name_opens_with_their_history(
    page: Any, watched: list[str], district: District
) -> None:
    someone = district.person(district.streets[2]["unit_id"])
    part = someone["name"][1:]
    signed_in(page, district)
    visit(page, district, "/workers")

    page.get_by_label("姓名或身份证号").fill(part)
    page.get_by_role("button", name="查询").click()
    page.locator("#results td a", has_text=someone["name"]).first.wait_for()
    page.locator("#results td a", has_text=someone["name"]).first.click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("heading", name=f"人员档案：{someone['name']}").is_visible()
    assert card_value(page, "姓名") == someone["name"]
    facts = page.locator("li.fact")
    assert facts.count() >= 2
    assert "入职" in facts.first.inner_text()
    assert watched == []


def test_moving_the_as_of_date_and_the_known_at_moment_changes_the_card_and_timeline(
    page: Any, watched: list[str], district: District
) -> None:
    signed_in(page, district)
    visit(page, district, f"/workers/{district.backdated}?as_of=2026-01-01")
    assert card_value(page, "职业资格") == "社会工作师"
    assert page.locator("li.fact[data-type=CertificateObtained]").count() == 1

    page.get_by_label("查看日期").fill("2025-02-01")  # before the certificate took effect
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    assert card_value(page, "职业资格") == "—"
    assert "2025年2月1日" in page.locator("#card-title").inner_text()

    page.get_by_label("查看日期").fill("2026-01-01")
    page.get_by_label("知情时间").fill(district.before.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    assert card_value(page, "职业资格") == "—"  # not yet known at that moment
    assert page.locator("li.fact[data-type=CertificateObtained]").count() == 0

    page.get_by_label("知情时间").fill("")
    page.get_by_label("标出此后记录的变化").fill(district.before.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    marked = page.locator("li.fact.new")
    assert marked.count() == 1
    assert "2025年3月1日" in marked.inner_text()
    assert card_value(page, "职业资格") == "社会工作师"
    assert watched == []


def test_a_step_due_is_shown_with_the_appraisals_that_cause_it(
    page: Any, watched: list[str], district: District
) -> None:
    signed_in(page, district)
    visit(page, district, "/rules?as_of=2026-01-01")
    steps = page.locator("section[aria-labelledby=steps-title] tbody tr")
    assert steps.count() > 0
    causes = steps.first.locator("td").nth(-3).inner_text()
    assert "年度" in causes or "20" in causes

    steps.first.locator("a").first.click()
    page.wait_for_load_state("networkidle")

    flag = page.locator("li[data-flag=step_due]")
    assert flag.locator(".flag").inner_text() == "晋档到期"
    why = flag.locator(".muted").inner_text()
    assert why.startswith("依据：")
    assert re.search(r"20\d\d年度", why), why
    assert "baohe" in why or "版" in why or "政策" in why
    assert watched == []


def test_the_payroll_downloaded_as_xlsx_matches_the_page(
    page: Any, watched: list[str], district: District
) -> None:
    street = district.streets[0]
    signed_in(page, district)
    visit(page, district, f"/payroll?month=2025-06&unit_id={street['unit_id']}")
    footer = page.locator("section[aria-labelledby=totals-title] tfoot td")
    workers, total = int(footer.nth(0).inner_text()), footer.nth(1).inner_text()
    shown_names = set(
        page.locator("main table").last.locator("tbody tr td:first-child").all_inner_texts()
    )

    with page.expect_download() as started:
        page.get_by_role("link", name="下载 Excel(.xlsx)").click()
    book = openpyxl.load_workbook(io.BytesIO(started.value.path().read_bytes()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header, lines = rows[0], [row for row in rows[1:] if any(row)]

    column = {str(cell).split()[0]: index for index, cell in enumerate(header)}  # "姓名 name"
    names = [line[column["姓名"]] for line in lines]
    totals = [Decimal(str(line[column["月应发"]])) for line in lines]
    assert len(lines) == workers
    assert f"{sum(totals):,.2f}" == total
    assert {name.strip() for name in shown_names if name.strip()} <= set(names)
    assert watched == []


def test_a_street_clerk_is_refused_another_streets_person_and_sees_no_full_id_number(
    page: Any, watched: list[str], district: District
) -> None:
    mine, theirs = district.streets[0], district.streets[1]
    own = district.person(mine["unit_id"])
    other = district.person(theirs["unit_id"])
    signed_in(page, district, Role.CLERK, mine["unit_id"])

    visit(page, district, "/workers?q=" + own["name"][:1])
    assert page.locator("#results tbody tr").count() > 0
    assert not FULL_ID_NUMBER.search(page.locator("main").inner_text())
    visit(page, district, f"/workers/{own['worker_id']}")
    assert not FULL_ID_NUMBER.search(page.locator("main").inner_text())

    visit(page, district, f"/workers/{other['worker_id']}", status=403)

    assert page.get_by_role("alert").locator("h1").inner_text() == "无权执行此操作"
    assert other["name"] not in page.content()
    assert not FULL_ID_NUMBER.search(page.content())
    assert [p for p in watched if "status of 403" not in p] == []


def test_a_refused_apply_steps_shows_the_chinese_message_and_records_nothing(
    page: Any, watched: list[str], district: District
) -> None:
    mine, theirs = district.streets[0], district.streets[1]
    signed_in(page, district, Role.CLERK, mine["unit_id"])
    visit(page, district, f"/rules?as_of=2026-01-01&unit_id={mine['unit_id']}")
    apply = page.locator("form[action='/rules/apply-steps']")
    apply.locator("input[name=unit_id]").evaluate(
        "(field, street) => field.value = street", theirs["unit_id"]
    )
    before = event_log(district.live.ledger)

    with page.expect_response(re.compile(r"/rules/apply-steps$")) as answer:
        apply.get_by_role("button").click()
    page.wait_for_load_state("networkidle")

    assert answer.value.status == 403
    assert page.get_by_role("alert").locator("h1").inner_text() == "无权执行此操作"
    assert "Traceback" not in page.content()
    assert event_log(district.live.ledger) == before
    assert [p for p in watched if "status of 403" not in p] == []


def test_an_invalid_search_shows_the_chinese_message_in_place(
    page: Any, watched: list[str], district: District
) -> None:
    signed_in(page, district)
    visit(page, district, "/workers")
    grade = page.get_by_label("等级")
    grade.evaluate("field => { field.removeAttribute('min'); field.removeAttribute('max'); }")
    grade.fill("0")

    page.get_by_role("button", name="查询").click()

    problem = page.locator("#results [role=alert]")
    problem.wait_for()
    assert problem.locator("strong").inner_text() == "请求的内容无效"
    assert page.get_by_label(
        "姓名或身份证号"
    ).is_visible()  # the form stays, the message is in place
    assert "Traceback" not in page.content()
    assert [p for p in watched if "status of 4" not in p] == []


def test_a_person_who_does_not_exist_gets_a_page_in_chinese_not_a_stack_trace(
    page: Any, watched: list[str], district: District
) -> None:
    signed_in(page, district)
    visit(page, district, f"/workers/{uuid4()}", status=404)
    assert re.search(r"[\u4e00-\u9fff]", page.get_by_role("alert").inner_text())


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_the_main_pages_fit_the_screen_without_errors(
    browser: Any, district: District, size: tuple[int, int]
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": size[0], "height": size[1]})
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        signed_in(page, district)
        someone = district.person(district.streets[0]["unit_id"])
        for path in (*MAIN_PAGES, f"/workers/{someone['worker_id']}", "/account/password"):
            visit(page, district, path)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= page.evaluate("window.innerWidth"), f"{path} scrolls sideways"
            controls = page.locator(
                "main input:not([type=hidden]), main select, main textarea"
            ).evaluate_all(
                "fields => fields.filter(f => !(f.labels && f.labels.length) && "
                "!f.getAttribute('aria-label')).map(f => f.name)"
            )
            assert controls == [], f"{path}: fields without a label"
        assert problems == []
    finally:
        context.close()


def test_the_skip_link_the_navigation_and_the_search_field_are_reached_with_tab(
    page: Any, district: District
) -> None:
    signed_in(page, district)
    visit(page, district, "/workers")
    reached: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "() => { const e = document.activeElement; "
                "return (e.getAttribute('name') || '') + '|' + (e.innerText || '').trim(); }"
            )
        )
    assert reached[0] == "|跳到正文"
    assert "|人员查询" in reached and "|单位与员额" in reached
    assert "q|" in reached
    for label in ("姓名或身份证号", "单位(含下级)", "岗位", "等级", "状态", "查看日期"):
        assert page.get_by_label(label).count() >= 1, label


def test_a_two_year_steps_draft_is_simulated_in_place_with_its_chart(
    page: Any, watched: list[str], district: District
) -> None:
    signed_in(page, district, Role.REPORTER)
    visit(page, district, "/what-if")
    assert page.locator("#what-if-result").inner_text().strip() == ""  # nothing run on load

    page.get_by_label("晋档年限(年)").fill("2")
    page.get_by_role("button", name="模拟").click()
    page.locator("#what-if-result canvas").first.wait_for(timeout=60_000)

    assert urlsplit(page.url).path == "/what-if" and "step_years=2" in page.url
    affected = int(page.locator("[data-figure=affected]").inner_text())
    assert affected > 0
    assert page.locator("tr[data-worker]").count() == min(affected, 50)
    difference = page.locator("tr[data-side=difference] td").first.inner_text()
    assert difference not in ("0.00", "") and not difference.startswith("-")
    assert not page.locator("#calculating").is_visible() or (
        page.locator("#calculating").evaluate("e => getComputedStyle(e).opacity") == "0"
    )
    assert watched == []


def test_every_chart_of_the_console_is_drawn(
    page: Any, watched: list[str], district: District
) -> None:
    # One way for every chart (console/templates/_chart.html): its option in an attribute
    # that console.js reads on load and on every htmx swap.
    signed_in(page, district)
    someone = district.person(district.streets[0]["unit_id"])
    for path in (
        "/units",
        "/policies",
        "/payroll?month=2025-06",
        f"/workers/{someone['worker_id']}",
    ):
        visit(page, district, path)
        charts = page.locator("[data-chart]")
        assert charts.count() >= 1, path
        for index in range(charts.count()):
            charts.nth(index).locator("canvas").first.wait_for(timeout=10_000)
    assert watched == []
