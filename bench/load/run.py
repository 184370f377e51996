"""The load test: ``ledger serve`` on PostgreSQL with a generated province, driven by locust.

    python bench/load/run.py                       # 30,000 workers x 10 years, 1 and 2 processes
    python bench/load/run.py --workers 3000 --processes 1 --seconds 20   # a quick try
    python bench/load/run.py --drop                # drop the database at the end

Steps (each skipped when already done, so a second run reuses the province):

1. the database ``ledger_load_<workers>`` on 127.0.0.1 (``--fresh`` drops it first);
2. ``ledger generate --workers N --years Y`` into it, then ``ledger projections rebuild``;
3. for each server shape in ``--processes``: ``ledger project --interval I`` (the production
   shape: one projector process), then the API with ``LEDGER_PROJECTOR=external``, one
   process (``ledger serve``) or several (``uvicorn console.app:create_app --factory --workers
   K``); the first time, an admin raises the quota of the communities the clerks write in
   (effective 2026-01-01, so hires and transfers have seats); then clerk tokens (one per
   street office, scoped to it) and reporter/auditor tokens, made by the same
   ``Ledger.create_token`` as ``ledger tokens create``;
4. an unmeasured warm-up, then the scenarios, each a headless locust run with CSV stats:
   ``mixed`` (50 users, 10 clerks writing and 40 readers, each at ``--rates`` requests/s;
   0 = no pause) and ``writes`` (clerks only, each of ``--write-rates`` writes/s in total);
5. during every run, the projection lag is sampled (``bench/lag.py``'s head and position
   queries every 50 ms, and ``/readyz`` every 0.5 s) and the CPU time of each process
   (server, projector, PostgreSQL, locust) is read, to say where the two cores went.

Prints a markdown report and writes it, with the locust CSVs and the server logs, to
``--out`` (default ``bench/load/results/<time>/``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
from psycopg import sql

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/lag.py: the processes and the lag queries
import lag  # noqa: E402

from domain.vocabulary import Role  # noqa: E402
from ledger.runtime import build_ledger  # noqa: E402
from ledger.settings import Settings  # noqa: E402
from projections import schema  # noqa: E402

ROOT = HERE.parents[1]
HOST = lag.HOST
ADMIN_URL = lag.ADMIN_URL
BIN = Path(sys.executable).parent
FIRST_WRITE = "2026-01-01"  # after the generated history (2016-2025): every write is later
QUOTA_DOC = "load-test extra quota"
EXTRA_SEATS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=30_000, help="province size (seats)")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--database", help="default: ledger_load_<workers>")
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate first")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scenarios", nargs="+", default=["mixed", "writes"])
    parser.add_argument("--users", type=int, default=50, help="users in the mixed scenario")
    parser.add_argument("--write-share", type=float, default=0.2)
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=[0.1, 0.25, 0.5],
        help="requests/s per user in the mixed scenario; 0: a closed loop, no pause",
    )
    parser.add_argument(
        "--report-processes",
        type=int,
        default=0,
        help="API processes of their own for the reports (roster pages, quota usage, "
        "payroll), as a load balancer routing those paths to a report pool would; 0: the "
        "same processes serve everything",
    )
    parser.add_argument(
        "--pacing",
        choices=["poisson", "constant"],
        default="poisson",
        help="random pauses (independent clients, a Poisson stream) or locust's "
        "constant_throughput (users started together stay in step: bursts), every scenario",
    )
    parser.add_argument(
        "--write-rates", type=float, nargs="+", default=[200.0], help="writes scenario, /s"
    )
    parser.add_argument("--write-users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="each measured run")
    parser.add_argument("--warm-up", type=int, default=15, help="seconds, unmeasured")
    parser.add_argument("--interval", type=float, default=0.1, help="projector poll interval")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the server, projector, locust and this database's PostgreSQL backends at "
        "this niceness (e.g. -10, needs root): on a machine shared with other work, "
        "measures the ledger rather than the run queue",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    name = args.database or f"ledger_load_{args.workers}"
    if not name.startswith("ledger_load_"):
        parser.error("the database name must start with ledger_load_")
    out = args.out or HERE / "results" / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)

    url = prepare_database(name, args)
    report = Report(args, name)
    try:
        for processes in args.processes:
            run_shape(url, processes, args, out, report)
    finally:
        if args.drop:
            drop_database(name)
    text = report.markdown()
    (out / "report.md").write_text(text, encoding="utf-8")
    (out / "report.json").write_text(json.dumps(report.as_json(), indent=2), encoding="utf-8")
    print(text)
    print(f"(written to {out})", file=sys.stderr)


# -- the province -----------------------------------------------------------------------------
def prepare_database(name: str, args: argparse.Namespace) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        if args.fresh:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute(f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@{HOST}:5432/{name}"
    env = _env(url)
    ledger = build_ledger(Settings(database_url=url))
    try:
        generated = not ledger.is_empty() and (ledger.recorder.max_notification_id() or 0) > 1000
    finally:
        ledger.close()
    if not generated:
        _log(f"generating {args.workers} workers x {args.years} years into {name}")
        started = time.monotonic()
        command = [str(BIN / "ledger"), "generate", "--workers", str(args.workers)]
        subprocess.run([*command, "--years", str(args.years)], env=env, check=True, cwd=ROOT)
        _log(f"generated in {time.monotonic() - started:.0f} s")
    position, head = _position_and_head(url)
    if head - position > 10_000:
        # The streaming rebuild is many times faster than following the log from 0.
        _log(f"rebuilding the read models ({head - position} events behind)")
        subprocess.run([str(BIN / "ledger"), "projections", "rebuild"], env=env, check=True)
    return url


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _log(f"dropped {name}")


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_PROJECTOR": "external"}


def _events_table(url: str) -> str:
    ledger = build_ledger(Settings(database_url=url))
    try:
        return str(ledger.recorder.events_table_name)  # type: ignore[attr-defined]
    finally:
        ledger.close()


def _position_and_head(url: str) -> tuple[int, int]:
    table = _events_table(url)
    with psycopg.connect(url, autocommit=True) as conn:
        return lag._position(conn), lag._head(conn, table)


# -- one server shape ---------------------------------------------------------------------------
def _serve_command(port: int, processes: int) -> list[str]:
    if processes == 1:
        return [str(BIN / "ledger"), "serve", "--host", HOST, "--port", str(port)]
    # `ledger serve` runs one process; uvicorn's supervisor runs several
    return [
        str(BIN / "uvicorn"), "console.app:create_app", "--factory", "--host", HOST,
        "--port", str(port), "--workers", str(processes), "--no-access-log",
    ]  # fmt: skip


@contextmanager
def _report_pool(
    env: dict[str, str], processes: int, logs: Path, nice: int
) -> Iterator[tuple[str | None, int | None]]:
    """API processes of their own for the reports, as a load balancer routing the report
    paths to a pool of their own would run them; (None, None) when there are none."""
    if not processes:
        yield None, None
        return
    port = lag._free_port()
    base = f"http://{HOST}:{port}"
    with _process(_serve_command(port, processes), env, logs / "reports.log", nice) as pool:
        lag._wait_until_ready(base, pool, logs / "reports.log")
        yield base, pool.pid


def run_shape(
    url: str, processes: int, args: argparse.Namespace, out: Path, report: Report
) -> list[Run]:
    env = _env(url)
    port = lag._free_port()
    base = f"http://{HOST}:{port}"
    table = _events_table(url)
    serve = _serve_command(port, processes)
    project = [str(BIN / "ledger"), "project", "--interval", str(args.interval)]
    runs: list[Run] = []
    logs = out / f"p{processes}"
    logs.mkdir(exist_ok=True)
    with ExitStack() as stack, _process(project, env, logs / "project.log", args.nice) as projector:
        lag._wait_caught_up(url, table)
        with _process(serve, env, logs / "serve.log", args.nice) as server:
            lag._wait_until_ready(base, server, logs / "serve.log")
            pool = stack.enter_context(_report_pool(env, args.report_processes, logs, args.nice))
            reports_base, reports_pid = pool
            plan_path = logs / "plan.json"
            streets = max(args.write_users, round(args.users * args.write_share))
            plan = make_plan(url, base, streets)
            plan["reports_base"] = reports_base
            lag._wait_caught_up(url, table)
            plan_path.write_text(json.dumps(plan), encoding="utf-8")
            pids = {"server": server.pid, "projector": projector.pid}
            if reports_pid:
                pids["report server"] = reports_pid
            if args.warm_up:
                _log(f"{processes} process(es): warm-up {args.warm_up} s")
                pace = args.rates[0] if args.rates else 0.2
                warm = Scenario("warm-up", args.users, args.write_share, pace, args.warm_up)
                locust(warm, base, plan_path, logs / "warm-up", args.nice)
            for scenario in scenarios(args):
                lag._wait_caught_up(url, table)
                vacuum_read_models(url)
                plan = make_plan(url, base, streets, plan)  # the workers' dates moved on
                plan["reports_base"] = reports_base
                plan_path.write_text(json.dumps(plan), encoding="utf-8")
                _log(f"{processes} process(es): {scenario.title}")
                run = measure(scenario, url, table, base, plan_path, logs, pids, args.nice)
                run.processes = processes
                run.report_processes = args.report_processes
                runs.append(run)
                report.runs.append(run)
                _log(run.one_line())
                # Written after every run: a later failure keeps what was measured.
                (out / "report.md").write_text(report.markdown(), encoding="utf-8")
    for run in runs:
        run.server_tracebacks = (logs / "serve.log").read_text(errors="replace").count("Traceback")
    return runs


def vacuum_read_models(url: str) -> None:
    """Clear the dead rows earlier runs left in the read models before each run.

    The projector replaces an aggregate's rows on every change; PostgreSQL's autovacuum
    (on by default) clears the dead ones. This machine's server runs with it off, and
    after a few runs the reports scanned twice the rows they return.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        for table in schema.all_tables():
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table.name)))


class Scenario:
    def __init__(
        self,
        name: str,
        users: int,
        write_share: float,
        rate: float,
        seconds: int,
        pacing: str = "poisson",
    ) -> None:
        self.name = name
        self.users = users
        self.clerks = round(users * write_share)
        self.readers = users - self.clerks
        self.rate = rate
        self.seconds = seconds
        self.checks = name != "writes"  # duplicate and replay checks: not in the write rate
        self.pacing = pacing

    @property
    def title(self) -> str:
        pace = (
            f"{self.rate:g} req/s per user ({self.pacing})"
            if self.rate
            else "closed loop (no pause)"
        )
        if self.name == "writes":
            return f"writes: {self.clerks} clerks x {self.rate:g}/s ({self.pacing}) = {self.clerks * self.rate:g} writes/s, {self.seconds} s"  # noqa: E501
        return f"mixed: {self.users} users ({self.clerks} clerks, {self.readers} readers), {pace}, {self.seconds} s"  # noqa: E501

    @property
    def slug(self) -> str:
        return f"{self.name}-r{self.rate:g}"


def scenarios(args: argparse.Namespace) -> Iterator[Scenario]:
    if "mixed" in args.scenarios:
        for rate in args.rates:
            yield Scenario("mixed", args.users, args.write_share, rate, args.seconds, args.pacing)
    if "writes" in args.scenarios:
        for rate in args.write_rates:
            per_user = rate / args.write_users
            yield Scenario("writes", args.write_users, 1.0, per_user, args.seconds, args.pacing)


# -- setup through the API and the read models ---------------------------------------------------
def make_plan(
    url: str, base: str, streets: int, earlier: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Tokens, units and workers for the locustfile, and each worker's first free date."""
    with psycopg.connect(url, autocommit=True) as conn:
        districts = [
            r[0]
            for r in conn.execute(
                "SELECT parent_id FROM rm_units WHERE kind = 'street_office' "
                "GROUP BY parent_id HAVING count(*) >= 12 ORDER BY parent_id"
            )
        ]
        chosen = [
            r[0]
            for r in conn.execute(
                "SELECT unit_id FROM rm_units WHERE kind = 'street_office' ORDER BY unit_id "
                "LIMIT %s",
                (streets,),
            )
        ]
        communities: dict[str, list[str]] = {s: [] for s in chosen}
        for unit_id, parent in conn.execute(
            "SELECT unit_id, parent_id FROM rm_units WHERE parent_id = ANY(%s) ORDER BY unit_id",
            (chosen,),
        ):
            communities[parent].append(unit_id)
        every = [c for cs in communities.values() for c in cs]
        workers = conn.execute(
            """SELECT p.worker_id, p.unit_id, max(h.effective_date),
                      max(h.effective_date) FILTER (WHERE h.type = 'Appraised')
               FROM rm_worker_periods p JOIN rm_worker_history h ON h.worker_id = p.worker_id
               WHERE p.valid_to IS NULL AND p.status = 'active' AND p.unit_id = ANY(%s)
               GROUP BY p.worker_id, p.unit_id""",
            (every,),
        ).fetchall()
        sample = [
            r[0]
            for r in conn.execute(
                "SELECT worker_id FROM rm_worker_periods WHERE valid_to IS NULL "
                "AND status = 'active' ORDER BY md5(worker_id) LIMIT 5000"
            )
        ]
        raised = conn.execute(
            "SELECT count(*) FROM rm_quota_approvals WHERE document_ref = %s", (QUOTA_DOC,)
        ).fetchone()
    parent_of = {c: s for s, cs in communities.items() for c in cs}
    by_street: dict[str, list[Any]] = {s: [] for s in chosen}
    for worker_id, unit_id, last, appraised in workers:
        by_street[parent_of[unit_id]].append(
            [worker_id, unit_id, last or FIRST_WRITE, int(appraised[:4]) if appraised else None]
        )
    if earlier is None:
        tokens = make_tokens(url, chosen)
        if not raised or raised[0] < len(every):
            raise_quota(base, tokens["admin"], url, every)
    else:
        tokens = earlier["tokens"]
    today = date.today()
    month = f"{today.year}-{today.month - 1:02d}" if today.month > 1 else f"{today.year - 1}-12"
    return {
        "tokens": tokens,
        "first_write_date": FIRST_WRITE,
        "payroll_month": month,
        "districts": districts,
        "readers": tokens["readers"],
        "console_session": tokens.get("console_session"),
        "sample_workers": sample,
        "streets": [
            {
                "street_id": s,
                "clerk_token": tokens["clerks"][s],
                "communities": communities[s],
                "workers": by_street[s],
            }
            for s in chosen
        ],
    }


def make_tokens(url: str, streets: list[str]) -> dict[str, Any]:
    """What ``ledger tokens create`` makes, without a process start per token."""
    from uuid import UUID

    ledger = build_ledger(Settings(database_url=url))
    try:
        return {
            "console_session": console_session(ledger),
            "admin": ledger.create_token("load-admin", Role.ADMIN),
            "readers": [
                ledger.create_token("load-reporter-1", Role.REPORTER),
                ledger.create_token("load-auditor-1", Role.AUDITOR),
                ledger.create_token("load-reporter-2", Role.REPORTER),
                ledger.create_token("load-auditor-2", Role.AUDITOR),
            ],
            "clerks": {
                s: ledger.create_token(f"load-clerk-{n}", Role.CLERK, UUID(s))
                for n, s in enumerate(streets)
            },
        }
    finally:
        ledger.close()


def console_session(ledger: Any) -> str:
    """A signed-in auditor's console session (its first password changed, as a person
    does), for the readers' person pages: the same use cases as the sign-in form."""
    from domain.errors import LedgerError

    name, chosen = "load-auditor", "load-test-password-2026"
    try:
        once = ledger.create_account(name, Role.AUDITOR)
    except LedgerError:  # a province reused from an earlier run: the account is there
        once = ledger.reset_password(name)
    first, _ = ledger.sign_in(name, once)
    ledger.change_password(first, once, chosen)
    secret, _ = ledger.sign_in(name, chosen)
    return str(secret)


def raise_quota(base: str, admin: str, url: str, communities: list[str]) -> None:
    """Approve EXTRA_SEATS more seats in every community the clerks hire and transfer into."""
    _log(f"approving extra quota in {len(communities)} communities")
    with psycopg.connect(url, autocommit=True) as conn:
        current: dict[str, int] = dict(
            conn.execute(
                "SELECT DISTINCT ON (unit_id) unit_id, quota FROM rm_quota_approvals "
                "WHERE unit_id = ANY(%s) ORDER BY unit_id, effective_date DESC, seq DESC",
                (communities,),
            ).fetchall()
        )
    headers = {"Authorization": f"Bearer {admin}"}
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as client:
        for unit_id in communities:
            body = {
                "quota": int(current.get(unit_id, 0)) + EXTRA_SEATS,
                "effective_date": FIRST_WRITE,
                "document_ref": QUOTA_DOC,
            }
            answer = client.post(f"/units/{unit_id}/quota-approvals", json=body)
            answer.raise_for_status()


# -- one measured run -----------------------------------------------------------------------------
class Run:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.processes = 0
        self.report_processes = 0
        self.rows: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.lag: dict[str, Any] = {}
        self.cpu: dict[str, float] = {}
        self.load_average: tuple[float, float] = (0.0, 0.0)
        self.elapsed = 0.0
        self.server_tracebacks = 0

    def row(self, name: str) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["Name"] == name), None)

    def one_line(self) -> str:
        total = self.row("Aggregated") or {}
        return (
            f"  {total.get('Request Count')} requests, {float(total.get('Requests/s', 0)):.1f}/s, "
            f"{total.get('Failure Count')} failures, p99 {total.get('99%')} ms; "
            f"lag p99 {self.lag.get('e2e_ms', {}).get('p99')} ms"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.title,
            "processes": self.processes,
            "report_processes": self.report_processes,
            "elapsed_s": round(self.elapsed, 1),
            "load_average_1m": self.load_average,
            "cpu_cores": self.cpu,
            "lag": self.lag,
            "stats": self.rows,
            "failures": self.failures,
            "server_tracebacks": self.server_tracebacks,
        }


def locust(scenario: Scenario, base: str, plan: Path, prefix: Path, nice: int = 0) -> None:
    command = [
        str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
        "--host", base, "--users", str(scenario.users), "--spawn-rate", str(scenario.users),
        "--run-time", f"{scenario.seconds}s", "--stop-timeout", "10", "--csv", str(prefix),
        "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    if scenario.readers == 0:
        command.append("ClerkUser")
    env = {
        **os.environ,
        "LOAD_PLAN": str(plan),
        "LOAD_RATE": str(scenario.rate),
        "LOAD_PACING": scenario.pacing,
        "LOAD_CLERKS": str(scenario.clerks),
        "LOAD_READERS": str(scenario.readers),
        "LOAD_CHECKS": "1" if scenario.checks else "0",
    }
    with (prefix.parent / f"{prefix.name}.log").open("wb") as log:
        subprocess.run(_nice(command, nice), env=env, cwd=ROOT, stdout=log, stderr=log, check=False)


def measure(
    scenario: Scenario,
    url: str,
    table: str,
    base: str,
    plan: Path,
    logs: Path,
    pids: dict[str, int],
    nice: int = 0,
) -> Run:
    run = Run(scenario)
    if nice:
        _renice_backends(url, nice)
    sampler = LagSampler(url, table, base)
    cpu = CpuMeter(pids)
    before = os.getloadavg()[0]
    sampler.start()
    cpu.start()
    started = time.monotonic()
    prefix = logs / f"{scenario.slug}-{scenario.seconds}s"
    locust(scenario, base, plan, prefix, nice)
    run.elapsed = time.monotonic() - started
    run.cpu = cpu.stop(run.elapsed)
    run.load_average = (before, os.getloadavg()[0])
    sampler.stop()
    run.lag = sampler.summary()
    status = subprocess.run(
        [str(BIN / "ledger"), "projections", "status", "--json"],
        env=_env(url), capture_output=True, text=True, check=False,
    )  # fmt: skip
    run.lag["status_after"] = json.loads(status.stdout) if status.returncode == 0 else None
    run.rows = _read_csv(Path(f"{prefix}_stats.csv"))
    run.failures = _read_csv(Path(f"{prefix}_failures.csv"))
    return run


@contextmanager
def _process(command: list[str], env: dict[str, str], log_path: Path, nice: int) -> Iterator[Any]:
    """``bench/lag.py``'s process, at ``nice``."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(_nice(command, nice), cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _nice(command: list[str], nice: int) -> list[str]:
    # nice(1) execs the command: the pid stays the command's.
    return ["nice", "-n", str(nice), *command] if nice else command


def _renice_backends(url: str, nice: int) -> None:
    """The PostgreSQL backends serving this database's connections (the pools are open)."""
    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            pids = [
                r[0]
                for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)
                )
            ]
    except psycopg.OperationalError as error:  # max_connections, shared with other work
        _log(f"backends not reniced: {error}")
        return
    for pid in pids:
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, nice)


def _read_csv(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class LagSampler:
    """End-to-end projection lag: each sampled events head, until the projector passes it."""

    def __init__(self, url: str, table: str, base: str) -> None:
        self.url, self.table, self.base = url, table, base
        self.stop_event = threading.Event()
        self.lags: list[float] = []
        self.unresolved = 0
        self.ready: list[dict[str, Any]] = []
        self.ready_errors = 0
        self.threads = [
            threading.Thread(target=self._heads, daemon=True),
            threading.Thread(target=self._readyz, daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        time.sleep(2.0)  # let the last heads be passed
        self.stop_event.set()
        for thread in self.threads:
            thread.join()

    def _heads(self) -> None:
        waiting: list[tuple[float, int]] = []
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop_event.is_set():
                now = time.monotonic()
                head = lag._head(conn, self.table)
                position = lag._position(conn)
                waiting.append((now, head))
                still = []
                for sampled, wanted in waiting:
                    if position >= wanted:
                        self.lags.append((time.monotonic() - sampled) * 1000)
                    else:
                        still.append((sampled, wanted))
                waiting = still
                time.sleep(0.05)
        self.unresolved = len(waiting)

    def _readyz(self) -> None:
        self.ready_errors += lag.poll_readiness(self.base, self.stop_event, self.ready, every=0.5)

    def summary(self) -> dict[str, Any]:
        lags = sorted(self.lags)

        def pct(p: float) -> float | None:
            return round(lags[min(len(lags) - 1, int(p / 100 * len(lags)))], 0) if lags else None

        return {
            "e2e_samples": len(lags),
            "e2e_unresolved": self.unresolved,
            "e2e_ms": {
                "p50": pct(50),
                "p95": pct(95),
                "p99": pct(99),
                "max": round(lags[-1]) if lags else None,
                "mean": round(statistics.fmean(lags)) if lags else None,
            },
            "readyz_samples": len(self.ready),
            "readyz_errors": self.ready_errors,
            "readyz_max_lag_seconds": max((r["lag_seconds"] for r in self.ready), default=None),
            "readyz_max_lag_events": max((r["lag_events"] for r in self.ready), default=None),
        }


class CpuMeter:
    """CPU seconds per component over a run, as cores busy on average."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.before: dict[str, float] = {}

    def _sample(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for name, pid in self.pids.items():
            found[name] = _tree_cpu(pid)
        postgres = 0.0
        for process in psutil.process_iter(["name"]):
            with suppress(psutil.Error):
                if process.info["name"] in ("postgres", "postmaster"):
                    times = process.cpu_times()
                    postgres += times.user + times.system
        found["postgresql"] = postgres
        # Locust is this process's only child that ends during a run: its CPU is the
        # growth of the reaped children's times.
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        found["locust"] = children.ru_utime + children.ru_stime
        found["machine"] = sum(psutil.cpu_times()[:3])  # user + nice + system, all processes
        return found

    def start(self) -> None:
        self.before = self._sample()

    def stop(self, elapsed: float) -> dict[str, float]:
        after = self._sample()
        used = {k: (after[k] - self.before.get(k, 0.0)) / elapsed for k in after}
        known = sum(v for k, v in used.items() if k != "machine")
        used["other (the driver, other engineers' work)"] = used["machine"] - known
        return {k: round(v, 2) for k, v in used.items()}


def _tree_cpu(pid: int) -> float:
    total = 0.0
    with suppress(psutil.Error):
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            with suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
    return total


# -- the report ---------------------------------------------------------------------------------
class Report:
    def __init__(self, args: argparse.Namespace, database: str) -> None:
        self.args = args
        self.database = database
        self.runs: list[Run] = []

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "workers": self.args.workers,
            "years": self.args.years,
            "runs": [r.as_json() for r in self.runs],
        }

    def markdown(self) -> str:
        lines = [
            f"Province: `ledger generate --workers {self.args.workers} --years "
            f"{self.args.years}` in `{self.database}`; projector `--interval "
            f"{self.args.interval}`.",
            "",
        ]
        for run in self.runs:
            total = run.row("Aggregated") or {}
            lines += [
                f"### {run.processes} server process(es)"
                + (f" + {run.report_processes} for reports" if run.report_processes else "")
                + f" — {run.scenario.title}",
                "",
                f"{total.get('Request Count')} requests in {run.elapsed:.0f} s "
                f"({float(total.get('Requests/s', 0)):.1f}/s), "
                f"{total.get('Failure Count')} failures, "
                f"server tracebacks: {run.server_tracebacks}; load average (1 min) "
                f"{run.load_average[0]:.2f} before, {run.load_average[1]:.2f} after.",
                "",
                "| endpoint | requests | req/s | failures | p50 ms | p95 ms | p99 ms | max ms |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for row in run.rows:
                lines.append(
                    f"| {row['Name']} | {row['Request Count']} | "
                    f"{float(row['Requests/s']):.1f} | {row['Failure Count']} | {row['50%']} | "
                    f"{row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |"
                )
            if run.failures:
                lines += ["", "Failures: " + "; ".join(
                    f"{f['Method']} {f['Name']}: {f['Error']} ×{f['Occurrences']}"
                    for f in run.failures
                )]  # fmt: skip
            e2e = run.lag.get("e2e_ms", {})
            lines += [
                "",
                f"Projection lag (end to end, head sampled every 50 ms until projected): "
                f"p50 {e2e.get('p50')} ms, p95 {e2e.get('p95')} ms, p99 {e2e.get('p99')} ms, "
                f"max {e2e.get('max')} ms ({run.lag.get('e2e_samples')} samples, "
                f"{run.lag.get('e2e_unresolved')} unresolved); `/readyz`: max lag_seconds "
                f"{run.lag.get('readyz_max_lag_seconds')}, max lag_events "
                f"{run.lag.get('readyz_max_lag_events')}, {run.lag.get('readyz_errors')} "
                f"failed probes; `ledger projections status --json` after the run: "
                f"`{json.dumps(run.lag.get('status_after'))}`.",
                "",
                "CPU (cores busy on average): " + ", ".join(f"{k} {v}" for k, v in run.cpu.items()),
                "",
            ]
        return "\n".join(lines)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
