"""The English switch: a preference cookie, then back to the page, never to another site."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from console.app import create_app
from ledger.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'l.db'}"))
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_the_switch_sets_the_language_and_returns_to_the_page(client: TestClient) -> None:
    answer = client.get("/language/en", params={"next": "/units?as_of=2026-01-01"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/units?as_of=2026-01-01"
    assert "ledger_lang=en" in answer.headers["set-cookie"]


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "units"]
)
def test_the_switch_never_sends_the_reader_to_another_site(
    client: TestClient, elsewhere: str
) -> None:
    answer = client.get("/language/zh-CN", params={"next": elsewhere})
    assert answer.headers["location"] == "/"


def test_an_unknown_language_is_a_page_not_a_trace(client: TestClient) -> None:
    answer = client.get("/language/fr")
    assert answer.status_code == 404
    assert "text/html" in answer.headers["content-type"]
    assert "Traceback" not in answer.text
