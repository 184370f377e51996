"""Signing in to the console, the first password, sign-out, cookies and CSRF, as a browser
sees them (over Starlette's TestClient; tests/browser drives a real one)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from console.app import create_app
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.passwords import Passwords
from ledger.settings import Settings
from tests.integration.application_support import event_log

NEW_PASSWORD = "芜湖路-2026-spring"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app(Settings(database_url=f"sqlite:///{tmp_path}/l.db"))
    with TestClient(application):
        application.state.ledger.passwords = Passwords(time_cost=1, memory_cost=1024)
        yield application


def ledger_of(app: FastAPI) -> Ledger:
    ledger: Ledger = app.state.ledger
    return ledger


def browser(app: FastAPI, base_url: str = "http://testserver") -> TestClient:
    return TestClient(app, base_url=base_url, follow_redirects=False)


def token_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form carries no csrf_token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str, next: str = "/") -> object:
    form = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"name": name, "password": password, "next": next, "csrf_token": token_in(form.text)},
    )


def test_the_sign_in_page_is_in_chinese_with_labelled_fields(app: FastAPI) -> None:
    page = browser(app).get("/sign-in")

    assert page.status_code == 200
    assert "账户名" in page.text and "密码" in page.text
    assert '<label for="name">' in page.text and '<label for="password">' in page.text


def test_a_page_without_a_session_sends_the_person_to_sign_in(app: FastAPI) -> None:
    answer = browser(app).get("/?as_of=2025-01-01")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/%3Fas_of%3D2025-01-01"


def test_a_first_sign_in_must_change_the_one_time_password_first(app: FastAPI) -> None:
    once = ledger_of(app).create_account("王芳", Role.ADMIN)
    client = browser(app)

    signed = sign_in(client, "王芳", once, next="/")
    assert signed.status_code == 303  # type: ignore[attr-defined]
    cookie = signed.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "ledger_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Path=/" in cookie and "Secure" not in cookie

    assert client.get("/").headers["location"] == "/account/password"
    form = client.get("/account/password")
    assert "您正在使用一次性密码" in form.text
    changed = client.post(
        "/account/password",
        data={
            "current_password": once,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": token_in(form.text),
        },
    )
    assert changed.status_code == 303
    home = client.get("/")
    assert home.status_code == 200 and "王芳" in home.text


def test_a_weak_password_is_refused_in_place_in_chinese(app: FastAPI) -> None:
    once = ledger_of(app).create_account("王芳", Role.ADMIN)
    client = browser(app)
    sign_in(client, "王芳", once)
    form = client.get("/account/password")

    refused = client.post(
        "/account/password",
        data={
            "current_password": once,
            "new_password": "short",
            "confirm_password": "short",
            "csrf_token": token_in(form.text),
        },
    )

    assert refused.status_code == 422
    assert "新密码至少需要 10 个字符" in refused.text


def test_a_wrong_password_is_refused_in_place_and_names_no_account(app: FastAPI) -> None:
    ledger_of(app).create_account("王芳", Role.ADMIN)
    client = browser(app)

    for name in ("王芳", "nobody"):
        refused = sign_in(client, name, "not the password")
        assert refused.status_code == 401  # type: ignore[attr-defined]
        assert "账户名或密码不正确" in refused.text  # type: ignore[attr-defined]


def test_a_locked_account_says_when_to_try_again(app: FastAPI) -> None:
    ledger_of(app).create_account("王芳", Role.ADMIN)
    client = browser(app)
    for _ in range(4):
        sign_in(client, "王芳", "not the password")

    locked = sign_in(client, "王芳", "not the password")

    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert locked.headers["retry-after"] == "30"  # type: ignore[attr-defined]
    assert "暂时锁定" in locked.text  # type: ignore[attr-defined]


def test_next_goes_only_to_a_path_of_this_site(app: FastAPI) -> None:
    once = ledger_of(app).create_account("王芳", Role.ADMIN)

    signed = sign_in(browser(app), "王芳", once, next="//evil.example/x")

    assert signed.headers["location"] == "/"  # type: ignore[attr-defined]


def test_the_cookie_is_secure_over_https_and_behind_a_trusted_proxy(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/l.db", console_trust_proxy=True)
    application = create_app(settings)
    with TestClient(application):
        application.state.ledger.passwords = Passwords(time_cost=1, memory_cost=1024)
        once = ledger_of(application).create_account("王芳", Role.ADMIN)
        https = browser(application, "https://ledger.example")
        assert "Secure" in sign_in(https, "王芳", once).headers["set-cookie"]  # type: ignore[attr-defined]
        proxied = browser(application)
        proxied.headers["X-Forwarded-Proto"] = "https"
        assert "Secure" in proxied.get("/sign-in").headers["set-cookie"]


def test_a_post_without_the_csrf_token_is_refused_cleanly_and_records_nothing(
    app: FastAPI,
) -> None:
    once = ledger_of(app).create_account("王芳", Role.ADMIN)
    client = browser(app)
    sign_in(client, "王芳", once)
    client.get("/account/password")
    before = event_log(ledger_of(app))

    refused = client.post(
        "/account/password",
        data={
            "current_password": once,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    assert refused.status_code == 403
    assert "无法确认该请求来自本系统" in refused.text and "Traceback" not in refused.text
    assert event_log(ledger_of(app)) == before


def test_a_post_from_another_site_is_refused_even_with_the_token(app: FastAPI) -> None:
    once = ledger_of(app).create_account("王芳", Role.ADMIN)
    client = browser(app)
    sign_in(client, "王芳", once)
    token = token_in(client.get("/account/password").text)

    refused = client.post(
        "/sign-out",
        data={"csrf_token": token},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )

    assert refused.status_code == 403


def test_signing_out_ends_the_session(app: FastAPI) -> None:
    once = ledger_of(app).create_account("王芳", Role.ADMIN)
    client = browser(app)
    sign_in(client, "王芳", once)
    token = token_in(client.get("/account/password").text)
    secret = client.cookies["ledger_session"]

    out = client.post("/sign-out", data={"csrf_token": token})

    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    client.cookies.set("ledger_session", secret)
    assert client.get("/account/password").status_code == 303
