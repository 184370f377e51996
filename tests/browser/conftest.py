"""Browser journeys: Playwright for Python driving Debian's Chromium against a live server.

One browser per test session; each test gets a fresh context (its own cookies). The
server is the real app (``console.app.create_app``) under uvicorn on a free port, in a
background thread, over an SQLite file; data are seeded through the use cases. With
``CI=true`` a missing browser fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from console.app import create_app
from ledger.application import Ledger
from ledger.passwords import Passwords
from ledger.settings import Settings

CHROMIUM = os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_browser() -> str:
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if found:
        return found
    message = f"no Chromium at {CHROMIUM} (or Playwright is not installed)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: browser tests must run, not skip)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class LiveServer:
    url: str
    ledger: Ledger


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(tmp: Path, **settings: Any) -> Iterator[LiveServer]:
    port = _free_port()
    config = Settings(database_url=f"sqlite:///{tmp / 'ledger.db'}", port=port, **settings)
    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    ledger: Ledger = app.state.ledger
    ledger.passwords = Passwords(time_cost=1, memory_cost=1024)  # fast, still Argon2id
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", ledger=ledger)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The server most journeys share (accounts are made with names of their own)."""
    yield from serve(tmp_path_factory.mktemp("live"))


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    try:
        yield context.new_page()
    finally:
        context.close()
