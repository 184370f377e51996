"""Rebuild benchmark: our full rebuild against two baselines measured in the same run.

    python bench/rebuild.py --database-url postgresql://postgres@127.0.0.1/ledger_bench \
        --workers 10000 --years 10 --sample 5000

Generates the history if the ledger holds no workers yet (else reuses it), then
measures (a) a plain SQL read of the events table, (b) the full rebuild of every
read model in a child process (wall time, events/s, peak RSS of it and of its
own workers), (c) the library's ``ProjectionRunner`` on the first ``--sample``
events, with a projection that only records its tracking: an upper bound on the
runner's rate, since a real projection also derives and writes rows.

With ``--baseline-tree DIR`` (another checkout of the code, e.g. ``git worktree add
/tmp/base <commit>``), the rebuild of that code is measured too, right before this one's,
on the same history in the same run: ``baseline_rebuild_*`` and ``speedup``. ``--pairs N``
measures N rebuilds of each, interleaved, and reports the medians (and each run's seconds and
CPU). ``--no-runner`` skips (c).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

from ledger.runtime import open_ledger
from ledger.settings import Settings
from seed.generate import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--baseline-tree", help="a checkout whose rebuild is measured too")
    parser.add_argument("--no-runner", action="store_true")
    parser.add_argument(
        "--pairs", type=int, default=1, help="rebuilds of each tree, interleaved; medians"
    )
    args = parser.parse_args()
    settings = Settings(database_url=args.database_url)
    ledger, _ = open_ledger(settings)
    workers_recorded = _count_workers(ledger)
    if not workers_recorded:
        started = time.monotonic()
        generate(ledger, workers=args.workers, years=args.years, seed=args.seed)
        print(f"generated in {time.monotonic() - started:.1f} s", file=sys.stderr)
    events = ledger.recorder.max_notification_id() or 0
    table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
    ledger.close()

    raw = _raw_read(args.database_url, table)
    baseline = {}
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "this": []}
    for _ in range(args.pairs):  # interleaved, so both see the same machine
        if args.baseline_tree:
            runs["baseline"].append(_rebuild_in_child(args.database_url, args.baseline_tree))
        runs["this"].append(_rebuild_in_child(args.database_url))
    if args.baseline_tree:
        found = _median(runs["baseline"])
        baseline = {f"baseline_{name}": value for name, value in found.items()}
        baseline["baseline_vs_raw_read"] = found["rebuild_events_per_s"] / raw
    rebuild = _median(runs["this"])
    if args.pairs > 1:
        rebuild["runs"] = {
            side: [(r["rebuild_seconds"], r["rebuild_cpu_seconds"]) for r in found_runs]
            for side, found_runs in runs.items()
            if found_runs
        }
    runner = {} if args.no_runner else _runner(args.database_url, args.sample)
    result: dict[str, Any] = {
        "database": args.database_url.split(":")[0],
        "events": events,
        "raw_read_rows_per_s": raw,
        **baseline,
        **rebuild,
        **runner,
    }
    result["rebuild_vs_raw_read"] = result["rebuild_events_per_s"] / raw
    if baseline:
        result["speedup"] = baseline["baseline_rebuild_seconds"] / result["rebuild_seconds"]
        result["cpu_speedup"] = (
            baseline["baseline_rebuild_cpu_seconds"] / result["rebuild_cpu_seconds"]
        )
        if "rebuild_total_cpu_seconds" in result:
            result["total_cpu_speedup"] = (
                baseline["baseline_rebuild_total_cpu_seconds"] / result["rebuild_total_cpu_seconds"]
            )
    if runner.get("runner_events_per_s"):
        result["rebuild_vs_runner"] = result["rebuild_events_per_s"] / runner["runner_events_per_s"]
    result["extrapolated_6m_seconds"] = 6_000_000 / result["rebuild_events_per_s"]
    print(json.dumps(result, indent=2))


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the runs (the runs themselves, with one)."""
    return {
        name: statistics.median(r[name] for r in runs) if isinstance(value, int | float) else value
        for name, value in runs[0].items()
    }


def _count_workers(ledger: Any) -> int:
    found = ledger.recorder.select_notifications(1, 5_000, topics=["domain.worker:Worker.Hired"])
    return len(found)


def _raw_read(database_url: str, table: str) -> float:
    """Rows/s of reading every event through the rebuild's own reader, doing nothing else."""
    from ledger.adapters.events_table import stored_rows
    from ledger.adapters.stores import store_environment

    env = store_environment(database_url)
    started = time.monotonic()
    rows = sum(1 for _ in stored_rows(env, table))
    return rows / (time.monotonic() - started)


CHILD = """
import json, resource, sys, time
from ledger.runtime import open_ledger
from ledger.settings import Settings
from projections.projector import Projector
from projections.sql import ReadStore
url = sys.argv[1]
ledger, _ = open_ledger(Settings(database_url=url))
store = ReadStore(url)
projector = Projector(ledger, store)
started = time.monotonic()
events = projector.rebuild()
elapsed = time.monotonic() - started
print(json.dumps({
    "rebuild_events": events,
    "rebuild_seconds": elapsed,
    "rebuild_events_per_s": events / elapsed,
    "rebuild_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rebuild_worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    # CPU of this process and its workers (PostgreSQL's own not included): what the
    # rebuild costs whatever else the machine runs, where wall time depends on it.
    "rebuild_cpu_seconds": sum(
        resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    ),
    "rebuild_processes": __import__("os").cpu_count(),
}))
"""


def _rebuild_in_child(database_url: str, tree: str | None = None) -> dict[str, Any]:
    """The rebuild in a child process; ``tree``: of the code checked out there."""
    env = {**os.environ, "PYTHONPATH": tree} if tree else None
    with BackendCpu(database_url) as backends:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, database_url],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            cwd=tree,
        )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if backends.seconds is not None:
        found["rebuild_postgres_cpu_seconds"] = backends.seconds
        found["rebuild_total_cpu_seconds"] = found["rebuild_cpu_seconds"] + backends.seconds
    return found


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving the database while the block runs
    (and of their parallel workers), from /proc: the rebuild's share of the server, which
    ``getrusage`` of the rebuilding processes cannot see. Sampled every 0.1 s; a backend's
    last tenth of a second before it exits may be missed. None: not PostgreSQL, or the
    server's processes are not visible here."""

    def __init__(self, database_url: str) -> None:
        self.dbname = database_url.rsplit("/", 1)[-1].split("?")[0]
        self.postgres = database_url.startswith("postgres")
        self.seen: dict[int, float] = {}  # pid: its CPU seconds when last sampled
        self.before: dict[int, float] = {}
        self.seconds: float | None = None
        self._stop = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> BackendCpu:
        if self.postgres:
            self.before = self._sample()
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        if not self.postgres:
            return
        self._stop.set()
        self._thread.join()
        self.seen.update(self._sample())
        if self.seen:
            self.seconds = sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.seen.items())

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.seen.update(self._sample())

    def _sample(self) -> dict[int, float]:
        found: dict[int, float] = {}
        ours = f" {self.dbname} "
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    title = f.read().decode(errors="replace")
                if not title.startswith("postgres: "):
                    continue
                parent = title.rsplit("parallel worker for PID ", 1)
                if ours not in title and not (
                    len(parent) == 2 and int(parent[1].split()[0]) in self.seen
                ):
                    continue
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                found[int(entry)] = (int(fields[11]) + int(fields[12])) / self._tick
            except (OSError, ValueError, IndexError):
                continue  # exited meanwhile
        return found


def _runner(database_url: str, sample: int) -> dict[str, Any]:
    from eventsourcing.persistence import Tracking, TrackingRecorder
    from eventsourcing.projection import Projection, ProjectionRunner

    from ledger.adapters.stores import store_environment
    from ledger.application import Ledger

    env = store_environment(database_url)
    if env["PERSISTENCE_MODULE"].endswith("postgres"):
        from eventsourcing.postgres import PostgresTrackingRecorder as View
    else:
        from eventsourcing.sqlite import SQLiteTrackingRecorder as View

    class TrackingOnly(Projection[TrackingRecorder]):
        name = "bench_runner"

        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            self.view.insert_tracking(tracking)

    _forget_tracking(env, f"{TrackingOnly.name}_tracking")  # a rerun starts from event 1 again
    try:
        runner = ProjectionRunner(
            application_class=Ledger, projection_class=TrackingOnly, view_class=View, env=env
        )
    except NotImplementedError:  # SQLite has no subscription in the library
        return _runner_loop(env, View, sample)
    started = time.monotonic()
    with runner:
        runner.wait(sample, timeout=3600)
    elapsed = time.monotonic() - started
    return {
        "runner_sample": sample,
        "runner_seconds": elapsed,
        "runner_events_per_s": sample / elapsed,
    }


def _forget_tracking(env: dict[str, str], table: str) -> None:
    from ledger.adapters.events_table import connection, is_postgres

    with connection(env, autocommit=True) as conn:
        # SQLite's recorder names its tracking table "tracking" whatever the view.
        conn.execute(f"DROP TABLE IF EXISTS {table if is_postgres(env) else 'tracking'}")
        if not is_postgres(env):
            conn.commit()


def _runner_loop(env: dict[str, str], view_class: Any, sample: int) -> dict[str, Any]:
    """What the runner's thread does per event, without the subscription SQLite lacks:
    decode it, then process it in its own transaction (here: record the tracking)."""
    from eventsourcing.persistence import Tracking

    from ledger.application import Ledger

    app = Ledger(env=env)
    view = view_class(app.factory.datastore) if hasattr(app.factory, "datastore") else None
    view.create_table()
    started = time.monotonic()
    done = 0
    while done < sample:
        batch = app.recorder.select_notifications(done + 1, min(100, sample - done))
        if not batch:
            break
        for notification in batch:
            app.mapper.to_domain_event(notification)
            view.insert_tracking(Tracking(app.name, notification.id))
        done += len(batch)
    elapsed = time.monotonic() - started
    app.close()
    return {
        "runner_sample": done,
        "runner_seconds": elapsed,
        "runner_events_per_s": done / elapsed,
        "runner_note": "SQLite: the runner's per-event loop, emulated (no subscription)",
    }


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
