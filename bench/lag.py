"""Projection lag under steady API writes, on PostgreSQL with an external projector.

    python bench/lag.py --rate 20 --seconds 30 --workers 1000
    python bench/lag.py --rate 50 --seconds 30 --workers 1000

Creates a scratch database ``ledger_lag_<random>`` on 127.0.0.1 (dropped at the
end, even on failure), loads a small demo district, then starts the production
processes on loopback: ``ledger serve`` with ``LEDGER_PROJECTOR=external`` and
``ledger project --interval 0.1``. Writers record appraisals of the district's
workers for years they do not have yet, at a fixed rate, and the lag is sampled
two ways: (a) what the projector reports in ``/readyz``; (b) end to end, for
every write, the time from its 201 until ``rm_position`` has passed the events
head read right after it (rows and position are committed together, so the
written fact is then visible in the read models). (b) is the lag a reader sees.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import psycopg

from ledger.runtime import open_ledger
from ledger.settings import Settings
from seed.demo import load_demo

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
ADMIN_URL = f"postgresql://postgres@{HOST}:5432/postgres"
START_TIMEOUT_SECONDS = 60
VISIBLE_TIMEOUT_SECONDS = 30.0  # a write not projected by then counts as "never seen"
FIRST_YEAR = 2026  # the demo's story ends with the 2025 appraisals recorded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20.0, help="writes per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1000, help="size of the demo district")
    parser.add_argument("--interval", type=float, default=0.1, help="projector poll interval")
    args = parser.parse_args()
    with scratch_database() as url:
        result = run(url, args)
    print(json.dumps(result, indent=2))


@contextmanager
def scratch_database() -> Iterator[str]:
    name = f"ledger_lag_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql://postgres@{HOST}:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    ledger, token = open_ledger(Settings(database_url=url))
    try:
        assert token, "the scratch database must be fresh"
        started = time.monotonic()
        summary = load_demo(ledger, workers=args.workers, seed=1)
        loaded = time.monotonic() - started
        events_table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
        loaded_events = ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()
    print(f"demo: {loaded_events} events in {loaded:.1f} s", file=sys.stderr)

    env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_PROJECTOR": "external"}
    port = _free_port()
    cli = str(Path(sys.executable).parent / "ledger")
    with tempfile.TemporaryDirectory(prefix="ledger_lag_") as logs:
        serve = [cli, "serve", "--host", HOST, "--port", str(port)]
        project = [cli, "project", "--interval", str(args.interval)]
        # The projector first, caught up before the server starts: both create the
        # read-model schema at start, and on a fresh database doing it at the same
        # time as the projector's first batch deadlocks (CREATE INDEX against the
        # batch's inserts), which fails the server's startup.
        with _process(project, env, Path(logs) / "project.log"):
            _wait_caught_up(url, events_table)
            with _process(serve, env, Path(logs) / "serve.log") as server:
                base = f"http://{HOST}:{port}"
                _wait_until_ready(base, server, Path(logs) / "serve.log")
                writable = _warm_up(base, token, summary.worker_ids)
                _wait_caught_up(url, events_table)
                measured = _drive(base, token, url, events_table, writable, args)
    return {
        "database": "postgresql",
        "demo_workers": args.workers,
        "demo_events": loaded_events,
        "writable_workers": len(writable),
        "projector_interval_s": args.interval,
        **measured,
    }


# -- processes ------------------------------------------------------------------------------
@contextmanager
def _process(command: list[str], env: dict[str, str], log_path: Path) -> Iterator[Any]:
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(base: str, process: Any, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')}")
        with suppress(httpx.TransportError):
            if httpx.get(f"{base}/api/v1/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not become ready:\n{log_path.read_text(errors='replace')}")


def _warm_up(base: str, token: str, workers: list[Any]) -> list[Any]:
    """Appraise everyone for the first open year, unmeasured: keeps the workers the API
    accepts writes for (those still in post) and warms the server's aggregate cache."""
    headers = {"Authorization": f"Bearer {token}"}
    writable = []
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as client:
        for worker in workers:
            body = {"year": FIRST_YEAR, "rating": "competent"}
            if client.post(f"/workers/{worker}/appraisals", json=body).status_code == 201:
                writable.append(worker)
    return writable


def _wait_caught_up(url: str, events_table: str) -> None:
    """The projector first catches up with the demo load; measure only steady state."""
    deadline = time.monotonic() + 600
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            head, position = _head(conn, events_table), _position(conn)
            if position >= head:
                return
            time.sleep(0.2)
    raise RuntimeError("the projector did not catch up with the demo load")


def _head(conn: psycopg.Connection[Any], events_table: str) -> int:
    row = conn.execute(f"SELECT max(notification_id) FROM {events_table}").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _position(conn: psycopg.Connection[Any]) -> int:
    try:
        row = conn.execute("SELECT max(position) FROM rm_position").fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row and row[0] is not None else 0


# -- the measurement ------------------------------------------------------------------------
class Run:
    """State shared by the writers and the two samplers."""

    def __init__(self, workers: list[Any], threads: int) -> None:
        self.lock = threading.Lock()
        self.slot = 0
        self.done = threading.Event()
        # Each writer owns its workers, so no two writes race on one aggregate.
        self.owned = [workers[i::threads] for i in range(threads)]
        self.next_year: dict[Any, int] = dict.fromkeys(workers, FIRST_YEAR + 1)
        self.statuses: dict[int, int] = {}
        self.refusals: dict[str, int] = {}
        self.transport_errors = 0
        self.written = 0
        self.pending: queue.Queue[tuple[float, int]] = queue.Queue()
        self.lags_ms: list[float] = []
        self.unseen = 0
        self.ready: list[dict[str, Any]] = []
        self.ready_errors = 0

    def take_slot(self) -> int:
        with self.lock:
            self.slot += 1
            return self.slot - 1


def _drive(
    base: str,
    token: str,
    url: str,
    events_table: str,
    workers: list[Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    state = Run(list(workers), args.threads)
    total_slots = int(args.rate * args.seconds)
    started = time.monotonic()
    writers = [
        threading.Thread(
            target=_writer,
            args=(state, n, base, token, url, events_table, started, args.rate, total_slots),
        )
        for n in range(args.threads)
    ]
    samplers = [
        threading.Thread(target=_visibility, args=(state, url)),
        threading.Thread(target=_readiness, args=(state, base)),
    ]
    for thread in samplers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    elapsed = time.monotonic() - started
    state.pending.put((0.0, -1))  # the writers are done: drain, then stop
    samplers[0].join()
    state.done.set()
    samplers[1].join()
    return _summary(state, args, elapsed)


def _writer(
    state: Run,
    n: int,
    base: str,
    token: str,
    url: str,
    events_table: str,
    started: float,
    rate: float,
    total_slots: int,
) -> None:
    mine = list(state.owned[n])
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as client,
        psycopg.connect(url, autocommit=True) as conn,
    ):
        turn = 0
        while mine:
            slot = state.take_slot()
            if slot >= total_slots:
                return
            # An open-loop schedule: a slow answer does not lower the rate asked.
            delay = started + slot / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            worker = mine[turn % len(mine)]
            turn += 1
            year = state.next_year[worker]
            try:
                answer = client.post(
                    f"/workers/{worker}/appraisals", json={"year": year, "rating": "competent"}
                )
            except httpx.TransportError:
                with state.lock:
                    state.transport_errors += 1
                continue
            acknowledged = time.monotonic()
            with state.lock:
                state.statuses[answer.status_code] = state.statuses.get(answer.status_code, 0) + 1
            if answer.status_code == 201:
                state.next_year[worker] = year + 1
                head = _head(conn, events_table)
                state.pending.put((acknowledged, head))
                with state.lock:
                    state.written += 1
            else:
                with state.lock, suppress(ValueError):
                    code = str(answer.json().get("code") or answer.json().get("type"))
                    state.refusals[code] = state.refusals.get(code, 0) + 1
                if answer.status_code == 409:  # retired meanwhile: not writable any more
                    mine.remove(worker)


def _visibility(state: Run, url: str) -> None:
    """Resolve each write once the projector's position has passed it."""
    waiting: list[tuple[float, int]] = []
    finishing = False
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            with suppress(queue.Empty):
                while True:
                    item = state.pending.get_nowait()
                    if item[1] < 0:
                        finishing = True
                    else:
                        waiting.append(item)
            if waiting:
                position = _position(conn)
                now = time.monotonic()
                still = []
                for acknowledged, head in waiting:
                    if head <= position:
                        state.lags_ms.append((now - acknowledged) * 1000)
                    elif now - acknowledged > VISIBLE_TIMEOUT_SECONDS:
                        state.unseen += 1
                    else:
                        still.append((acknowledged, head))
                waiting = still
            elif finishing:
                return
            time.sleep(0.005)


def _readiness(state: Run, base: str) -> None:
    state.ready_errors += poll_readiness(base, state.done, state.ready, every=0.1)


def poll_readiness(base: str, done: threading.Event, ready: list[Any], *, every: float) -> int:
    """Poll ``/readyz`` until ``done``: each caught-up answer's projections go into
    ``ready``; answers how many polls failed or found the projections behind."""
    failures = 0
    with httpx.Client(base_url=f"{base}/api/v1", timeout=5) as client:
        while not done.is_set():
            try:
                answer = client.get("/readyz")
                projections = answer.json().get("projections")
                if answer.status_code == 200 and projections:
                    ready.append(projections)
                else:
                    failures += 1
            except (httpx.TransportError, ValueError):
                failures += 1
            done.wait(every)
    return failures


def _summary(state: Run, args: argparse.Namespace, elapsed: float) -> dict[str, Any]:
    lags = sorted(state.lags_ms)

    def pct(p: float) -> float | None:
        if not lags:
            return None
        return round(lags[min(len(lags) - 1, int(p / 100 * len(lags)))], 1)

    refused = sum(n for code, n in state.statuses.items() if code != 201)
    return {
        "rate_asked_per_s": args.rate,
        "seconds": args.seconds,
        "writer_threads": args.threads,
        "writes_ok": state.written,
        "rate_achieved_per_s": round(state.written / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(state.statuses.items())},
        "refusals": state.refusals,
        "errors": refused + state.transport_errors,
        "e2e_lag_samples": len(lags),
        "e2e_lag_never_seen": state.unseen,
        "e2e_lag_ms": {
            "p50": pct(50),
            "p95": pct(95),
            "p99": pct(99),
            "max": round(lags[-1], 1) if lags else None,
            "mean": round(statistics.fmean(lags), 1) if lags else None,
        },
        "readyz_samples": len(state.ready),
        "readyz_errors": state.ready_errors,
        "readyz_max_lag_seconds": max((r["lag_seconds"] for r in state.ready), default=None),
        "readyz_max_lag_events": max((r["lag_events"] for r in state.ready), default=None),
    }


if __name__ == "__main__":
    main()
