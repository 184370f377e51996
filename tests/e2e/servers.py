"""Real uvicorn servers on 127.0.0.1 for tests that need true concurrency.

Each server is a separate process started with the production command
(``uvicorn api.app:create_app --factory``) and stopped by its own handle.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ledger.adapters.stores import store_environment
from ledger.application import Ledger

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60


def bootstrap(database_url: str, policy: str = "baohe-2020") -> str:
    """Bootstrap the store before any server starts; answers the first admin token."""
    ledger = Ledger(env=store_environment(database_url))
    try:
        token = ledger.bootstrap(policy)
    finally:
        ledger.close()
    assert token, "the store must be fresh"
    return token


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def uvicorn_server(database_url: str, log_path: Path) -> Iterator[str]:
    """A server over ``database_url``; yields its base URL once it answers /readyz."""
    port = _free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url, "LEDGER_POLICY": "baohe-2020"}
    command = [
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", HOST, "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            base = f"http://{HOST}:{port}"
            _wait_until_ready(base, process, log_path)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited early:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/api/v1/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not become ready:\n{log_path.read_text(errors='replace')}")
