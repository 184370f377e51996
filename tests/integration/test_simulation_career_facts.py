"""A career-changing draft simulated from the career-facts read model answers exactly what
replaying the events answers: the same JSON, page by page, and every differing worker.

Each comparison runs both paths on the same ledger: ``simulate`` without the read models
replays the events (the reference); with them, and the read models caught up, it reads
each worker's recorded facts from ``rm_career_facts``. Generated histories, for every
shipped policy pack, on both databases (the in-memory store has no read models another
process can read); and a ledger whose read models lag, or were projected before the model
existed, falls back to the events.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.errors import LedgerError
from domain.policy import shipped_packs
from domain.vocabulary import Rating
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from projections import schema
from projections.projector import Projector
from projections.simulation import Draft
from projections.simulation.career_facts import ready
from projections.sql import ReadStore
from seed.generate import generate
from tests.integration.application_support import appraise, as_
from tests.integration.test_simulation_setwise import (
    ADOPTED_ON,
    FIRST_PACK,
    _draft,
)
from tests.integration.test_simulation_setwise import _answers as answers
from tests.stores import DATABASE_STORES, store_url
from tests.unit.builders import adoptable_over_default


@pytest.fixture(params=DATABASE_STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _history(url: str, pack: str) -> tuple[Ledger, ReadStore]:
    """A generated history (adopting ``pack`` in 2021 over the first), projected."""
    ledger = Ledger(env=store_environment(url))
    ledger.bootstrap(FIRST_PACK)
    generate(ledger, workers=30, years=7, seed=11)
    if pack != FIRST_PACK:
        ledger.adopt_policy(as_(), adoptable_over_default(pack), ADOPTED_ON, "ref-2021")
    store = ReadStore(url)
    Projector(ledger, store).rebuild(processes=1)
    return ledger, store


@pytest.fixture(params=sorted(shipped_packs()))
def history(
    request: pytest.FixtureRequest, store_kind: str, tmp_path: Path
) -> Iterator[tuple[Ledger, ReadStore, str]]:
    with store_url(store_kind, tmp_path) as url:
        ledger, store = _history(url, request.param)
        try:
            yield ledger, store, request.param
        finally:
            store.close()
            ledger.close()


@pytest.fixture
def one_history(store_kind: str, tmp_path: Path) -> Iterator[tuple[Ledger, ReadStore]]:
    with store_url(store_kind, tmp_path) as url:
        ledger, store = _history(url, FIRST_PACK)
        try:
            yield ledger, store
        finally:
            store.close()
            ledger.close()


# -- drafts that change careers ---------------------------------------------------------------
def _steps(document: dict[str, Any]) -> None:
    """Two-year steps (three-year ones where the pack steps every two years)."""
    step = document["parameters"]["step_years"]
    step["value"] = 2 if step["value"] != 2 else 3


def _education(document: dict[str, Any]) -> None:
    """One more grade per education level above the lowest (and, for a pack without an
    education rule, another step interval: the draft must still change careers)."""
    bonus = document["parameters"].get("education_bonus")
    if bonus is None:
        _steps(document)
        return
    bonus["value"] = {
        level: grades + 1 if grades else 0 for level, grades in bonus["value"].items()
    }


def _answers(
    ledger: Ledger, store: ReadStore | None, chosen: Draft, **options: Any
) -> tuple[set[bool], list[dict[str, Any]], list[dict[str, Any]]]:
    """Which paths answered (read from the career facts or not), every page, every worker."""
    return answers(ledger, store, chosen, path=lambda outcome: outcome.career_facts, **options)


def _agree(ledger: Ledger, store: ReadStore, chosen: Draft, **options: Any) -> Any:
    fast, fast_pages, fast_workers = _answers(ledger, store, chosen, **options)
    slow, slow_pages, slow_workers = _answers(ledger, None, chosen)
    assert fast == {True}, "read from the career facts"
    assert slow == {False}, "replayed from the events"
    assert fast_pages == slow_pages
    assert fast_workers == slow_workers
    return fast_pages


@pytest.mark.parametrize("change", [_steps, _education], ids=["steps", "education"])
def test_a_career_changing_draft_read_from_the_career_facts_answers_what_the_events_answer(
    history: tuple[Ledger, ReadStore, str], change: Any
) -> None:
    ledger, store, pack = history
    pages = _agree(ledger, store, _draft(pack, change))
    totals = pages[0]["totals"]
    assert totals["workers_affected"] > 0, "the draft changes careers"
    assert sum(len(page["items"]) for page in pages) == totals["workers_affected"]


def test_each_process_reads_its_own_id_range_of_career_facts(
    one_history: tuple[Ledger, ReadStore],
) -> None:
    ledger, store = one_history
    _agree(ledger, store, _draft(FIRST_PACK, _steps), processes=2)


def test_read_models_behind_the_events_leave_the_simulation_to_the_events(
    one_history: tuple[Ledger, ReadStore],
) -> None:
    ledger, store = one_history
    for worker_id in _worker_ids(store):  # one more event, not projected yet
        try:
            appraise(ledger, worker_id, 2024, Rating.EXCELLENT)
            break
        except LedgerError:  # a worker dismissed by then
            continue
    assert not ready(ledger, store)
    paths, pages, workers = _answers(ledger, store, _draft(FIRST_PACK, _steps))
    assert paths == {False}
    assert (pages, workers) == _answers(ledger, None, _draft(FIRST_PACK, _steps))[1:]


def test_a_model_projected_only_since_it_existed_is_trusted_after_the_next_rebuild(
    one_history: tuple[Ledger, ReadStore],
) -> None:
    """As a ledger projected before this model existed: the facts recorded since are in
    it, the earlier ones are not (nor any hire row) until a rebuild writes them all; nor
    is the mark that every table, as declared now, was derived from the first event."""
    ledger, store = one_history
    with store.transaction() as tx:
        tx.execute("DELETE FROM rm_career_facts")
        tx.execute("DELETE FROM rm_position WHERE projection = %s", (schema.COMPLETE,))
    for worker_id in _worker_ids(store):
        with contextlib.suppress(LedgerError):  # refused: a worker dismissed by then
            appraise(ledger, worker_id, 2024, Rating.COMPETENT)
    projector = Projector(ledger, store)
    projector.catch_up()
    assert store.query("SELECT COUNT(*) FROM rm_career_facts")[0][0] > 0
    assert not ready(ledger, store)
    chosen = _draft(FIRST_PACK, _steps)
    paths, *answer = _answers(ledger, store, chosen)
    assert paths == {False}
    projector.rebuild(processes=1)
    assert ready(ledger, store)
    paths, *rebuilt = _answers(ledger, store, chosen)
    assert paths == {True}
    assert rebuilt == answer


def _worker_ids(store: ReadStore) -> list[UUID]:
    return [UUID(w) for (w,) in store.query("SELECT worker_id FROM rm_workers ORDER BY 1")]
