"""Console page timings on a demo-sized district, against a baseline request in the same run.

    LEDGER_DATABASE_URL=sqlite:////tmp/demo.db ledger demo      # once: ~3,000 workers
    python bench/pages_lists.py --database-url sqlite:////tmp/demo.db --rounds 20

Each page is requested ``--rounds`` times (after two warm-up requests) through the
whole app in-process (Starlette's TestClient: routing, dependencies, read-model
freshness check, queries, templates; no network), as an admin and as a street's
clerk. It prints the median and p95 per page in milliseconds, and the same for a
baseline request (``GET /api/v1/healthz``) measured in the same run: the floor every
request pays on this machine. Target: every page under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from uuid import UUID

from fastapi.testclient import TestClient

from console.app import create_app
from console.session import current_person
from domain.access import Actor
from domain.vocabulary import Role
from ledger.settings import Settings


def timings(client: TestClient, url: str, rounds: int) -> list[float]:
    for _ in range(2):
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    found = []
    for _ in range(rounds):
        start = time.perf_counter()
        answer = client.get(url)
        found.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, url
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--month", default="2024-06")
    parser.add_argument("--as-of", default="2024-06-30")
    args = parser.parse_args()
    app = create_app(Settings(database_url=args.database_url))
    with TestClient(app) as client:
        store = app.state.read_models.fresh().store
        street, street_name = store.query(
            "SELECT unit_id, name FROM rm_units WHERE kind = 'street_office' ORDER BY name LIMIT 1"
        )[0]
        [(id_number,)] = store.query(
            "SELECT data FROM rm_worker_history WHERE version = 1 AND type = 'Hired' LIMIT 1"
        )
        number = json.loads(id_number)["id_number"]
        surname = store.query("SELECT substr(name, 1, 1) FROM rm_workers LIMIT 1")[0][0]
        known = "2024-07-01T00:00"
        admin = Actor("bench-admin", Role.ADMIN)
        clerk = Actor("bench-clerk", Role.CLERK, UUID(street))
        pages: list[tuple[str, Actor, str]] = [
            ("baseline /api/v1/healthz", admin, "/api/v1/healthz"),
            ("/workers (district, first page)", admin, f"/workers?as_of={args.as_of}"),
            (f"/workers?q={surname} (name part)", admin, f"/workers?q={surname}"),
            ("/workers?q=<ID number>", admin, f"/workers?q={number}"),
            ("/workers?grade=5&post=assistant", admin, "/workers?grade=5&post=assistant"),
            (f"/workers (clerk of {street_name})", clerk, "/workers"),
            ("/workers.csv (district)", admin, "/workers.csv"),
            ("/workers.xlsx (district)", admin, "/workers.xlsx"),
            ("/rules (district)", admin, f"/rules?as_of={args.as_of}"),
            ("/rules (district, 2026-01-15: 125 steps due)", admin, "/rules?as_of=2026-01-15"),
            (f"/rules (clerk of {street_name})", clerk, f"/rules?as_of={args.as_of}"),
            ("/payroll (district)", admin, f"/payroll?month={args.month}"),
            (f"/payroll (clerk of {street_name})", clerk, f"/payroll?month={args.month}"),
            (
                f"/payroll + arrears (clerk of {street_name})",
                clerk,
                f"/payroll?month={args.month}&known_at={known}",
            ),
            (
                "/payroll + arrears (district)",
                admin,
                f"/payroll?month={args.month}&known_at={known}",
            ),
            ("/payroll.csv (district)", admin, f"/payroll.csv?month={args.month}"),
            ("/payroll.xlsx (district)", admin, f"/payroll.xlsx?month={args.month}"),
        ]
        print(f"{'page':<48} {'median ms':>10} {'p95 ms':>8}")
        for title, person, url in pages:
            as_person: Callable[[], Actor] = lambda person=person: person  # noqa: E731
            app.dependency_overrides[current_person] = as_person
            found = timings(client, url, args.rounds)
            print(f"{title:<48} {statistics.median(found):>10.1f} {p95(found):>8.1f}")


if __name__ == "__main__":
    main()
