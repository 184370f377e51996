"""A district's office day against ``ledger serve``: clerks write, reporting systems read.

Run by ``bench/load/run.py``, which prepares the plan (tokens, units, workers and
the date each worker's next fact may take) and passes it in ``LOAD_PLAN``::

    LOAD_PLAN=plan.json LOAD_RATE=1 locust -f bench/load/locustfile.py --headless \
        --host http://127.0.0.1:8000 --users 50 --spawn-rate 50 --run-time 60s

Two kinds of user:

- ``ClerkUser``: a street office's clerk with a clerk token scoped to that office.
  Records hires, appraisals and transfers in the office's communities, each with a
  fresh ``Idempotency-Key``. Every write is meant to be accepted (the worker's next
  date is after every fact already recorded, the communities have quota headroom),
  except two small, deliberate shares that check the refusal and replay paths
  under load: a duplicate appraisal (409 ``duplicate_appraisal`` expected) and a
  replay of an earlier write with the same key and body (the first answer again).
  Each clerk owns one street office, so two clerks never race on one aggregate.
- ``ReaderUser``: a reporting system with a reporter or auditor token: one worker's
  state, a roster page, a district's quota usage and a district's payroll for a month.

``LOAD_RATE`` is each user's request rate (``constant_throughput``; 0: no pause, a
closed loop). ``LOAD_CLERKS`` and ``LOAD_READERS`` fix how many users of each kind
run, so with one rate for all the request mix is the users' mix (10 clerks and 40
readers: 20 % writes).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, constant_throughput, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
RATE = float(os.environ.get("LOAD_RATE", "1"))
PACING = os.environ.get("LOAD_PACING", "poisson")
# The report pool's address when the driver runs one (--report-processes): the reports go
# there, as a load balancer routing their paths would send them; else the same server.
REPORTS: str = PLAN.get("reports_base") or ""


def _poisson(user: Any) -> float:
    """A random pause with mean 1/RATE: independent users then arrive as a Poisson stream
    at RATE x users. ``constant_throughput`` keeps users started together in step, so all
    50 asked at the same instant every 1/RATE seconds: bursts no office's clerks make."""
    return random.expovariate(RATE)


if RATE <= 0:
    WAIT: Any = constant(0)
elif PACING == "constant":
    WAIT = constant_throughput(RATE)
else:
    WAIT = _poisson
FIRST_WRITE = date.fromisoformat(PLAN["first_write_date"])  # the extra quota's effective date
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
RATINGS = (["competent"] * 15) + (["excellent"] * 4) + ["basically_competent"]

_street_turn = itertools.count()
_reader_turn = itertools.count()


class Worker:
    """One worker a clerk writes for, and the first date a new fact may take."""

    def __init__(self, worker_id: str, unit_id: str, after: str, appraised: int | None) -> None:
        self.worker_id = worker_id
        self.unit_id = unit_id
        self.after = max(date.fromisoformat(after), FIRST_WRITE)
        self.appraised = appraised  # a year already appraised, for the duplicate check

    def next_appraisal_year(self) -> int:
        # Appraisals take effect on 31 December: the first year-end after every fact.
        year_end = date(self.after.year, 12, 31)
        return self.after.year if year_end > self.after else self.after.year + 1

    def next_date(self, rng: random.Random) -> date:
        day = self.after + timedelta(days=rng.randint(1, 30))
        if (day.month, day.day) == (12, 31):  # keep year-ends for appraisals
            day += timedelta(days=1)
        return day


class ClerkUser(FastHttpUser):
    wait_time = WAIT
    fixed_count = int(os.environ.get("LOAD_CLERKS", "10"))

    def on_start(self) -> None:
        offices = PLAN["streets"]
        turn = next(_street_turn)
        office = offices[turn % len(offices)]
        # More clerks than street offices: the clerks of one office split its workers,
        # so that two clerks still never write for the same worker.
        sharing = -(-self.fixed_count // len(offices))
        self.rng = random.Random()
        self.headers = {"Authorization": f"Bearer {office['clerk_token']}"}
        self.communities: list[str] = office["communities"]
        self.workers = [Worker(*w) for w in office["workers"][turn // len(offices) :: sharing]]
        self.last_write: tuple[str, dict[str, Any], str, str] | None = None

    def _post(self, path: str, name: str, body: dict[str, Any]) -> dict[str, Any] | None:
        key = str(uuid.uuid4())
        headers = {**self.headers, "Idempotency-Key": key}
        with self.client.post(
            f"/api/v1{path}", json=body, headers=headers, name=name, catch_response=True
        ) as answer:
            if answer.status_code != 201:
                answer.failure(_why(answer))
                return None
            found: dict[str, Any] = answer.json()
            self.last_write = (path, body, key, found["worker_id"])
            return found

    @task(50)
    def appraisal(self) -> None:
        worker = self.rng.choice(self.workers)
        year = worker.next_appraisal_year()
        body = {"year": year, "rating": self.rng.choice(RATINGS), "document_ref": f"考核〔{year}〕"}
        if self._post(f"/workers/{worker.worker_id}/appraisals", "POST appraisal", body):
            worker.after = date(year, 12, 31)
            worker.appraised = year

    @task(20)
    def transfer(self) -> None:
        worker = self.rng.choice(self.workers)
        target = self.rng.choice([c for c in self.communities if c != worker.unit_id])
        day = worker.next_date(self.rng)
        body = {"unit_id": target, "effective_date": day.isoformat()}
        if self._post(f"/workers/{worker.worker_id}/transfers", "POST transfer", body):
            worker.after, worker.unit_id = day, target

    @task(20)
    def hire(self) -> None:
        rng = self.rng
        community = rng.choice(self.communities)
        day = FIRST_WRITE + timedelta(days=rng.randint(1, 300))
        body = {
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "gender": rng.choice(["female", "male"]),
            "birth_date": date(rng.randint(1975, 2000), rng.randint(1, 12), 15).isoformat(),
            "education": rng.choice(["associate", "bachelor", "bachelor", "master"]),
            "unit_id": community,
            "post": rng.choice(["assistant"] * 6 + ["officer"] * 3 + ["deputy_director"]),
            "hire_date": day.isoformat(),
            "channel": "open_recruitment",
        }
        found = self._post("/workers", "POST hire", body)
        if found:
            self.workers.append(Worker(found["worker_id"], community, day.isoformat(), None))

    @task(5)
    def duplicate_appraisal(self) -> None:
        """A year already appraised again: refused with 409, nothing recorded."""
        appraised = [w for w in self.workers if w.appraised is not None]
        if not appraised:
            return
        worker = self.rng.choice(appraised)
        body = {"year": worker.appraised, "rating": "competent"}
        headers = {**self.headers, "Idempotency-Key": str(uuid.uuid4())}
        with self.client.post(
            f"/api/v1/workers/{worker.worker_id}/appraisals",
            json=body,
            headers=headers,
            name="POST appraisal (duplicate: 409 expected)",
            catch_response=True,
        ) as answer:
            if answer.status_code == 409 and _code(answer) == "duplicate_appraisal":
                answer.success()
            else:
                answer.failure(_why(answer))

    @task(5)
    def replay(self) -> None:
        """The last write again with its key and body: the first answer, nothing recorded."""
        if self.last_write is None:
            return
        path, body, key, worker_id = self.last_write
        headers = {**self.headers, "Idempotency-Key": key}
        with self.client.post(
            f"/api/v1{path}",
            json=body,
            headers=headers,
            name="POST replay (same Idempotency-Key)",
            catch_response=True,
        ) as answer:
            if answer.status_code == 201 and answer.json().get("worker_id") == worker_id:
                answer.success()
            else:
                answer.failure(_why(answer))


class ReaderUser(FastHttpUser):
    wait_time = WAIT
    fixed_count = int(os.environ.get("LOAD_READERS", "40"))

    def on_start(self) -> None:
        readers = PLAN["readers"]
        self.headers = {"Authorization": f"Bearer {readers[next(_reader_turn) % len(readers)]}"}
        self.rng = random.Random()
        session = PLAN.get("console_session")
        self.console = {"Cookie": f"ledger_session={session}"} if session else None

    def _get(self, path: str, name: str, base: str = "") -> None:
        with self.client.get(
            f"{base}/api/v1{path}", headers=self.headers, name=name, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(_why(answer))

    @task(40)
    def worker(self) -> None:
        worker_id = self.rng.choice(PLAN["sample_workers"])
        self._get(f"/workers/{worker_id}", "GET worker")

    @task(10)
    def person_page(self) -> None:
        """The console's person page (人员档案) as an auditor signed in: served by
        ``ledger serve`` (the console's process), so only in the one-process shape."""
        if self.console is None:
            return
        worker_id = self.rng.choice(PLAN["sample_workers"])
        with self.client.get(
            f"/workers/{worker_id}",
            headers=self.console,
            name="GET person page",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200 or "人员档案" not in answer.text:
                answer.failure(_why(answer))

    @task(15)
    def roster_page(self) -> None:
        street = self.rng.choice(PLAN["streets"])["street_id"]
        page = f"/workers?unit_id={street}&status=active&limit=100"
        self._get(page, "GET roster page (100)", REPORTS)

    @task(15)
    def quota_usage(self) -> None:
        district = self.rng.choice(PLAN["districts"])
        self._get(f"/reports/quota-usage?unit_id={district}", "GET quota-usage (district)", REPORTS)

    @task(10)
    def payroll(self) -> None:
        district = self.rng.choice(PLAN["districts"])
        month = PLAN["payroll_month"]
        path = f"/reports/payroll?month={month}&unit_id={district}"
        self._get(path, "GET payroll (district)", REPORTS)


def _code(answer: Any) -> str:
    try:
        return str(answer.json().get("code"))
    except (ValueError, AttributeError):
        return ""


def _why(answer: Any) -> str:
    """The failure's name in the stats: status and problem code, not the varying detail."""
    return f"{answer.status_code} {_code(answer) or answer.error or ''}".strip()


if os.environ.get("LOAD_CHECKS", "1") == "0":
    # The sustained-writes scenario counts writes that record: no refusals, no replays.
    ClerkUser.tasks = [
        t for t in ClerkUser.tasks if t not in (ClerkUser.duplicate_appraisal, ClerkUser.replay)
    ]
