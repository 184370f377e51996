"""A PostgreSQL server of the test's own, for tests that stop or restart it.

Never the machine's shared server: ``initdb`` into a fresh directory and
``pg_ctl`` on a free port of 127.0.0.1, with the binaries of the newest
PostgreSQL under /usr/lib/postgresql. As root (CI's machines) the server runs
as the ``postgres`` system user, since PostgreSQL refuses to run as root.
Missing binaries skip the test on a developer's machine and fail it when
``CI=true``, like the other PostgreSQL tests.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT_SECONDS = 60


def _bin_dir() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name.split(".")[0]),
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class OwnPostgres:
    bin_dir: Path
    folder: Path
    port: int
    run_as: list[str]

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, dbname: str = "ledger") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def pg_ctl(self, *args: str, timeout: float = START_TIMEOUT_SECONDS) -> None:
        command = [
            *self.run_as,
            str(self.bin_dir / "pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.log),
            "-w",  # wait until the server accepts connections (or has stopped)
            "-t", str(int(timeout)),
            *args,
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=timeout + 10)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self.pg_ctl("start", "-o", options)

    def restart(self) -> None:
        """Fast shutdown (every connection cut, open transactions rolled back), then start."""
        self.pg_ctl("restart", "-m", "fast")

    def stop(self, mode: str = "immediate") -> None:
        self.pg_ctl("stop", "-m", mode)

    def create_database(self, dbname: str = "ledger") -> str:
        import psycopg

        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        return self.url(dbname)


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """A running server, stopped and deleted afterwards."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        message = "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: this test must run, not skip)")
        pytest.skip(message)
    # Not under pytest's tmp_path: its parents are private to root, and the server
    # may run as another user.
    folder = Path(tempfile.mkdtemp(prefix="ledger-own-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    server = OwnPostgres(bin_dir=bin_dir, folder=folder, port=_free_port(), run_as=run_as)
    try:
        initdb = [
            *run_as, str(bin_dir / "initdb"), "-D", str(server.data), "-U", "postgres",
            "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C",
        ]  # fmt: skip
        subprocess.run(
            initdb,
            check=True,
            capture_output=True,
            timeout=120,
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
