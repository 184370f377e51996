"""Journeys of signing in, in a real browser: the first password, lock-out, CSRF, an
ended session, and /docs with the network cut off."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from domain.vocabulary import Role
from tests.browser.conftest import LiveServer, serve
from tests.integration.application_support import event_log

CHOSEN = "巢湖路-2026-spring"
_names = itertools.count()


def account(live: LiveServer, role: Role = Role.ADMIN) -> tuple[str, str]:
    name = f"person-{next(_names)}"
    return name, live.ledger.create_account(name, role)


def ready(live: LiveServer, role: Role = Role.ADMIN) -> str:
    """An account whose one-time password was already changed to CHOSEN."""
    name, once = account(live, role)
    secret, _ = live.ledger.sign_in(name, once)
    live.ledger.change_password(secret, once, CHOSEN)
    live.ledger.sign_out(secret)
    return name


def sign_in(page: Any, live: LiveServer, name: str, password: str) -> None:
    page.goto(live.url + "/sign-in")
    page.get_by_label("账户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_a_person_signs_in_with_a_one_time_password_and_changes_it_first(
    page: Any, live: LiveServer
) -> None:
    name, once = account(live)

    sign_in(page, live, name, once)

    assert urlsplit(page.url).path == "/account/password"
    assert page.get_by_text("您正在使用一次性密码").is_visible()
    page.get_by_label("当前密码").fill(once)
    page.get_by_label("新密码", exact=True).fill(CHOSEN)
    page.get_by_label("再次输入新密码").fill(CHOSEN)
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/"
    assert name in page.locator("header .account").inner_text()
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/sign-in"
    sign_in(page, live, name, CHOSEN)
    assert urlsplit(page.url).path == "/"


def test_five_wrong_passwords_lock_that_account_but_not_another_from_the_same_browser(
    page: Any, live: LiveServer
) -> None:
    locked, other = ready(live), ready(live)
    for _ in range(4):
        sign_in(page, live, locked, "not the password")
        assert page.get_by_role("alert").inner_text() == "账户名或密码不正确。"

    sign_in(page, live, locked, "not the password")

    assert "暂时锁定" in page.get_by_role("alert").inner_text()
    sign_in(page, live, locked, CHOSEN)  # the right password waits too
    assert "暂时锁定" in page.get_by_role("alert").inner_text()
    sign_in(page, live, other, CHOSEN)
    assert urlsplit(page.url).path == "/"


def test_a_post_without_the_csrf_token_is_refused_cleanly_and_records_nothing(
    page: Any, live: LiveServer
) -> None:
    name = ready(live)
    sign_in(page, live, name, CHOSEN)
    page.goto(live.url + "/account/password")
    page.locator("main form input[name=csrf_token]").evaluate("field => field.remove()")
    page.get_by_label("当前密码").fill(CHOSEN)
    page.get_by_label("新密码", exact=True).fill("another-password-1")
    page.get_by_label("再次输入新密码").fill("another-password-1")
    before = event_log(live.ledger)

    with page.expect_response(re.compile(r"/account/password$")) as answer:
        page.get_by_role("button", name="修改密码").click()

    assert answer.value.status == 403
    assert page.get_by_role("heading", name="无法确认该请求来自本系统").is_visible()
    assert "Traceback" not in page.content()
    assert event_log(live.ledger) == before
    page.goto(live.url + "/")
    assert urlsplit(page.url).path == "/"  # still signed in, password unchanged


def test_a_revoked_session_is_sent_back_to_sign_in(page: Any, live: LiveServer) -> None:
    name = ready(live)
    sign_in(page, live, name, CHOSEN)

    live.ledger.revoke_sessions(name)
    page.goto(live.url + "/?as_of=2025-01-01")

    assert urlsplit(page.url).path == "/sign-in"
    assert page.get_by_label("账户名").is_visible()


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose sessions end after two seconds without a request."""
    yield from serve(tmp_path_factory.mktemp("idle"), console_idle_minutes=2 / 60)


def test_an_idle_session_is_sent_back_to_sign_in_and_returns_after(
    page: Any, impatient: LiveServer
) -> None:
    name = ready(impatient)
    sign_in(page, impatient, name, CHOSEN)
    assert urlsplit(page.url).path == "/"

    page.wait_for_timeout(2500)
    page.goto(impatient.url + "/?as_of=2025-01-01")

    assert urlsplit(page.url).path == "/sign-in"
    page.get_by_label("账户名").fill(name)
    page.get_by_label("密码", exact=True).fill(CHOSEN)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.url.endswith("/?as_of=2025-01-01")


def test_docs_render_swagger_ui_with_the_network_cut_off(page: Any, live: LiveServer) -> None:
    elsewhere: list[str] = []

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(live.url + "/docs")

    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15_000)
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Community worker")
    assert elsewhere == []
