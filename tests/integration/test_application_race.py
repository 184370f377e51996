"""Two clerks racing for the last seat: exactly one wins, on every store.

The threads meet at a ``threading.Barrier`` so that both commands run at once.
In the forced variant each thread also waits, after loading the unit and before
saving, until the other has loaded it too: both then check the same free seat
and the loser's save must conflict and be re-checked against the winner's seat.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.errors import DuplicateAppraisal, QuotaExceeded
from domain.unit import Unit
from domain.vocabulary import Rating
from domain.worker import Worker
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from tests.integration.application_support import (
    ADMIN,
    appraise,
    as_,
    build_tree,
    event_log,
    headcount,
    hire,
    topics_since,
    transfer,
    worker_id,
)
from tests.stores import store_url

TIMEOUT = 30


def race(*commands: Callable[[], Any]) -> list[Any]:
    """Run the commands in threads that start together; answers or exceptions, in order."""
    start = threading.Barrier(len(commands), timeout=TIMEOUT)

    def run(command: Callable[[], Any]) -> Any:
        start.wait()
        try:
            return command()
        except Exception as error:
            return error

    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        futures = [pool.submit(run, command) for command in commands]
        return [f.result(timeout=TIMEOUT * 2) for f in futures]


def both_load_before_either_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, hold each thread's first seat check until both threads have loaded
    the unit, so that both see the same free seat before either saves."""
    loaded = threading.Barrier(2, timeout=TIMEOUT)
    seen = threading.local()
    original = Unit.assign_seats

    def assign_seats(self: Unit, **kwargs: Any) -> None:
        if not getattr(seen, "waited", False):
            seen.waited = True
            loaded.wait()
        original(self, **kwargs)

    monkeypatch.setattr(Unit, "assign_seats", assign_seats)


def one_winner(results: list[Any]) -> tuple[dict[str, Any], Exception]:
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert len(losses) == 1, results
    return wins[0], losses[0]


def test_two_clerks_hiring_into_the_last_seat_one_wins_and_one_is_refused(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, {"street_a": 2})
    hire(ledger, tree.street_a, name="已在岗")
    before = event_log(ledger)

    results = race(
        lambda: hire(ledger, tree.street_a, name="甲"),
        lambda: hire(ledger, tree.street_a, name="乙"),
    )

    winner, loser = one_winner(results)
    assert isinstance(loser, QuotaExceeded)
    assert topics_since(ledger, before).count("Hired") == 1
    assert headcount(ledger, tree.street_a, date(2021, 3, 1)) == 2
    assert ledger.worker_view(ADMIN, worker_id(winner), date(2021, 3, 1), None)["name"] in (
        "甲",
        "乙",
    )


def test_when_both_clerks_saw_the_last_seat_free_the_later_save_is_rechecked_and_refused(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = build_tree(ledger, {"street_a": 1})
    before = event_log(ledger)
    both_load_before_either_saves(monkeypatch)

    results = race(
        lambda: hire(ledger, tree.street_a, name="甲"),
        lambda: hire(ledger, tree.street_a, name="乙"),
    )

    _, loser = one_winner(results)
    assert isinstance(loser, QuotaExceeded)
    assert sorted(topics_since(ledger, before)) == ["Hired", "SeatsAssigned"]
    assert headcount(ledger, tree.street_a, date(2021, 3, 1)) == 1


def test_a_transfer_racing_a_hire_for_the_last_seat_only_one_wins(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = build_tree(ledger, {"street_a": 1, "street_b": 1})
    mover = worker_id(hire(ledger, tree.street_a, hire_date=date(2021, 3, 1)))
    before = event_log(ledger)
    both_load_before_either_saves(monkeypatch)

    results = race(
        lambda: transfer(ledger, mover, tree.street_b, date(2021, 3, 1)),
        lambda: hire(ledger, tree.street_b, hire_date=date(2021, 3, 1), name="乙"),
    )

    _, loser = one_winner(results)
    assert isinstance(loser, QuotaExceeded)
    assert headcount(ledger, tree.street_b, date(2021, 3, 1)) == 1
    new = topics_since(ledger, before)
    assert new.count("Hired") + new.count("Transferred") == 1


def test_two_retries_of_one_request_with_the_same_key_record_one_hire(ledger: Ledger) -> None:
    tree = build_tree(ledger, {"street_a": 5})
    before = event_log(ledger)

    results = race(
        lambda: hire(ledger, tree.street_a, ctx=as_(ADMIN, key="k", fingerprint="f")),
        lambda: hire(ledger, tree.street_a, ctx=as_(ADMIN, key="k", fingerprint="f")),
    )

    assert all(isinstance(r, dict) for r in results), results
    assert results[0] == results[1]
    assert topics_since(ledger, before).count("Hired") == 1
    assert headcount(ledger, tree.street_a, date(2021, 3, 1)) == 1


# -- with the aggregate cache, and across two ledger instances on one store ------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store two ledger instances can share (the in-memory store cannot be shared)."""
    with store_url(request.param, tmp_path) as url:
        yield url


def cached_ledger(url: str) -> Ledger:
    return Ledger(env={**store_environment(url), "AGGREGATE_CACHE_MAXSIZE": "1000"})


def test_two_cached_ledger_instances_on_one_store_give_the_last_seat_to_one_hire(
    shared_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = cached_ledger(shared_store), cached_ledger(shared_store)
    try:
        first.bootstrap("baohe-2020")
        tree = build_tree(first, {"street_a": 1})
        # both instances have the unit cached before the race
        assert headcount(second, tree.street_a, date(2021, 3, 1)) == 0
        both_load_before_either_saves(monkeypatch)

        results = race(
            lambda: hire(first, tree.street_a, name="甲"),
            lambda: hire(second, tree.street_a, name="乙"),
        )

        _, loser = one_winner(results)
        assert isinstance(loser, QuotaExceeded)
        for instance in (first, second):
            assert headcount(instance, tree.street_a, date(2021, 3, 1)) == 1
    finally:
        first.close()
        second.close()


def test_the_race_for_the_last_seat_holds_with_the_aggregate_cache(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = cached_ledger(store)
    try:
        ledger.bootstrap("baohe-2020")
        tree = build_tree(ledger, {"street_a": 1})
        headcount(ledger, tree.street_a, date(2021, 3, 1))  # warm the cache
        both_load_before_either_saves(monkeypatch)

        results = race(
            lambda: hire(ledger, tree.street_a, name="甲"),
            lambda: hire(ledger, tree.street_a, name="乙"),
        )

        _, loser = one_winner(results)
        assert isinstance(loser, QuotaExceeded)
        assert headcount(ledger, tree.street_a, date(2021, 3, 1)) == 1
    finally:
        ledger.close()


def test_two_clerks_recording_the_same_years_appraisal_at_once_record_it_once(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = build_tree(ledger, {"street_a": 1})
    worker = worker_id(hire(ledger, tree.street_a))
    before = event_log(ledger)
    # both load the worker and check the appraisal before either saves
    loaded = threading.Barrier(2, timeout=TIMEOUT)
    seen = threading.local()
    original = Worker._check

    def check(self: Worker, candidate: Any, schedule: Any) -> Any:
        if not getattr(seen, "waited", False):
            seen.waited = True
            loaded.wait()
        return original(self, candidate, schedule)

    monkeypatch.setattr(Worker, "_check", check)

    results = race(
        lambda: appraise(ledger, worker, 2021, Rating.EXCELLENT),
        lambda: appraise(ledger, worker, 2021, Rating.COMPETENT),
    )

    _, loser = one_winner(results)
    assert isinstance(loser, DuplicateAppraisal)
    assert topics_since(ledger, before) == ["Appraised"]
