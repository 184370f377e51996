"""Server time of the console's units and person pages on the demo district.

    ledger demo                       # with LEDGER_DATABASE_URL=sqlite:////tmp/demo.db
    python bench/pages_units_person.py --db /tmp/demo.db --rounds 40

Works on a copy of the given SQLite ledger (the file itself is never changed), with the
console app in process (``console.app.create_app``, read models in process) and the
person override a page test uses, so the time measured is the server's: routing,
use cases, read models and templates, with no network and no sign-in. Into the copy
it hires one worker with ten years of facts (2016-2025: yearly appraisals, steps
applied, a correction, a transfer, a post change, a backdated grade change) for the
"10-year person page". Each page is timed against a baseline measured in the same run:
the API's answer for the same question (``GET /api/v1/workers/{id}``,
``GET /api/v1/units/{id}/quota-usage``). Prints median and p95 per request.
Targets (issue 12): every page < 300 ms; a 10-year person page < 150 ms.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from fastapi.testclient import TestClient

from console.app import create_app
from console.session import current_person
from domain.access import Actor
from domain.unit import Unit
from domain.vocabulary import (
    Channel,
    Education,
    Gender,
    GradeChangeReason,
    Post,
    PostChangeReason,
    Rating,
    Role,
    UnitKind,
)
from domain.worker import Person
from ledger.application import Ledger
from ledger.commands import (
    ApplySteps,
    Appraise,
    ChangeGrade,
    ChangePost,
    Context,
    CorrectAppraisal,
    Hire,
    Transfer,
)
from ledger.settings import Settings

ADMIN = Actor("bench-admin", Role.ADMIN)


def ctx() -> Context:
    return Context(actor=ADMIN, request_id=uuid4().hex)


def ten_year_worker(ledger: Ledger, client: TestClient, token: str) -> tuple[UUID, datetime]:
    """Hire a worker in 2016 into two communities with room, and record ten years.
    Answers the worker and a moment between the first facts and the backdated ones."""
    headers = {"Authorization": f"Bearer {token}"}
    district = client.get("/api/v1/units", headers=headers).json()["items"][0]["unit_id"]
    communities = []
    for street in client.get(
        "/api/v1/units", params={"parent_id": district}, headers=headers
    ).json()["items"]:
        for unit in client.get(
            "/api/v1/units", params={"parent_id": street["unit_id"]}, headers=headers
        ).json()["items"]:
            if unit["kind"] != UnitKind.STREET_OFFICE.value:
                communities.append(UUID(unit["unit_id"]))
    first, second = communities[0], communities[-1]
    for unit_id in (first, second):  # one seat more on every approval's day, and from 2016
        unit = ledger.get(unit_id, Unit)
        quotas = {date(2016, 1, 1): 0} | {a.effective_date: a.quota for a in unit.approvals}
        for day, quota in sorted(quotas.items()):
            ledger.approve_quota(
                ctx(),
                unit_id,
                quota=max(quota, unit.headcount_on(day)) + 1,
                effective_date=day,
                document_ref=f"测〔{day.year}〕1号",
            )
    person = Person("十年测", Gender.MALE, date(1985, 5, 5), "340104198505051234")
    hired = ledger.hire(
        ctx(),
        Hire(
            person=person,
            unit_id=first,
            post=Post.ASSISTANT,
            education=Education.ASSOCIATE,
            channel=Channel.OPEN_RECRUITMENT,
            hire_date=date(2016, 3, 1),
        ),
    )
    worker = UUID(hired["worker_id"])
    for year in range(2016, 2026):
        rating = Rating.EXCELLENT if year in (2019, 2020) else Rating.COMPETENT
        ledger.appraise(ctx(), Appraise(worker, year, rating))
        ledger.apply_steps(ctx(), ApplySteps(worker, date(year + 1, 1, 15)))
    ledger.correct_appraisal(ctx(), CorrectAppraisal(worker, 2018, Rating.EXCELLENT, "复核"))
    ledger.transfer(ctx(), Transfer(worker, second, date(2021, 7, 1)))
    ledger.change_post(
        ctx(), ChangePost(worker, Post.OFFICER, date(2022, 3, 1), PostChangeReason.PROMOTION)
    )
    moment = datetime.now(UTC)
    ledger.change_grade(ctx(), ChangeGrade(worker, 6, date(2023, 5, 1), GradeChangeReason.REWARD))
    return worker, moment


def timed(client: TestClient, path: str, rounds: int, **kwargs: Any) -> list[float]:
    response = client.get(path, **kwargs)  # warm: templates compiled, caches filled
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    spent = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path, **kwargs)
        spent.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return spent


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a SQLite ledger with the demo")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "ledger.db"
        shutil.copy(args.db, copy)
        for suffix in ("-wal", "-shm"):
            if Path(f"{args.db}{suffix}").exists():
                shutil.copy(f"{args.db}{suffix}", f"{copy}{suffix}")
        app = create_app(Settings(database_url=f"sqlite:///{copy}"))
        app.dependency_overrides[current_person] = lambda: ADMIN
        with TestClient(app) as client:
            ledger: Ledger = app.state.ledger
            token = ledger.create_token("bench", Role.ADMIN)
            api = {"headers": {"Authorization": f"Bearer {token}"}}
            worker, moment = ten_year_worker(ledger, client, token)
            district = client.get("/api/v1/units", **api).json()["items"][0]["unit_id"]
            street = client.get("/api/v1/units", params={"parent_id": district}, **api).json()[
                "items"
            ][0]["unit_id"]
            day = {"as_of": "2025-12-31"}
            cases: list[tuple[str, str, dict[str, Any]]] = [
                ("API  GET /workers/{id} (baseline)", f"/api/v1/workers/{worker}", api),
                ("page /workers/{id} (10 years)", f"/workers/{worker}", {"params": day}),
                (
                    "page /workers/{id} known_at+since",
                    f"/workers/{worker}",
                    {"params": {**day, "known_at": moment.isoformat(), "since": "2020-01-01"}},
                ),
                ("page /workers/{id}/print", f"/workers/{worker}/print", {"params": day}),
                (
                    "API  GET /units/{district}/quota-usage (baseline)",
                    f"/api/v1/units/{district}/quota-usage",
                    {**api, "params": day},
                ),
                ("page /units (district)", "/units", {"params": day}),
                ("page /units/{street}", f"/units/{street}", {"params": day}),
            ]
            print(f"{'request':52} {'median ms':>10} {'p95 ms':>8}  (rounds {args.rounds})")
            for name, path, kwargs in cases:
                spent = timed(client, path, args.rounds, **kwargs)
                print(f"{name:52} {statistics.median(spent):10.1f} {p95(spent):8.1f}")


if __name__ == "__main__":
    main()
