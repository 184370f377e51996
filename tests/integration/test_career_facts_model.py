"""The career-facts read model holds every worker's recorded facts: read back through
``projections.simulation.career_facts`` they equal ``Worker.facts``, fact for fact, and
the hire's row names the worker.

Hypothesis-made careers (every kind of fact) are written a few events at a time, as the
projector writes them, into both databases; generated histories are projected by the
rebuild and by the projector batch by batch, and events recorded after a rebuild appear.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.errors import LedgerError
from domain.vocabulary import Channel, Education, Gender, Post, Rating
from domain.worker import Person, Worker
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from projections import schema
from projections.models.career_facts import CAREER_FACTS, CAREER_FACTS_MODEL
from projections.projector import Projector
from projections.simulation.career_facts import careers, ready
from projections.sql import ReadStore
from projections.tables import with_positions
from seed.generate import generate
from tests.integration.application_support import (
    apply_steps,
    appraise,
    build_tree,
    hire,
    transfer,
    worker_id,
)
from tests.integration.test_properties import SETTINGS, commands, hires, run
from tests.stores import DATABASE_STORES, store_url
from tests.unit.builders import SCHEDULE


@pytest.fixture(params=DATABASE_STORES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(str(request.param), tmp_path) as found:
        yield found


def _stored(env: Mapping[str, str], head: int) -> dict[str, tuple[str, list[Any]]]:
    """Every worker's (name, facts) as a simulation at ``head`` reads them, by worker id."""
    return {key: (name, facts) for key, name, facts in careers(env, None, None, head)}


def _facts(ledger: Ledger, store: ReadStore) -> dict[str, tuple[str, list[Any]]]:
    """Every worker's (name, facts) as the aggregate holds them."""
    found = {}
    for (key,) in store.query("SELECT worker_id FROM rm_workers"):
        worker: Worker = ledger.repository.get(UUID(key))
        found[key] = (worker.person.name, worker.facts)
    return found


# Any name a person may have (PostgreSQL text holds no NUL), any channel.
names = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1)


def test_hypothesis_made_careers_read_back_as_the_recorded_facts(url: str) -> None:
    store = ReadStore(url)
    with store.transaction() as tx:
        schema.create(tx)

    @SETTINGS
    @given(
        spec=hires,
        name=names,
        channel=st.sampled_from(Channel),
        dispatch_years=st.integers(0, 12),
        sequence=st.lists(commands, min_size=10, max_size=40),
        cuts=st.lists(st.integers(1, 60), max_size=8),
    )
    def check(
        spec: dict[str, Any],
        name: str,
        channel: Channel,
        dispatch_years: int,
        sequence: list[tuple[Any, ...]],
        cuts: list[int],
    ) -> None:
        try:
            worker = Worker.hire(
                person=Person(name, Gender.FEMALE, date(1985, 6, 1)),
                channel=channel,
                schedule=SCHEDULE,
                dispatch_service_years=dispatch_years,
                **spec,
            )
        except LedgerError:
            assume(False)
            return
        for command in sequence:
            run(worker, command)
        events = worker.collect_events()
        # Written as the projector writes them: a batch's events at a time, appended.
        bounds = sorted({0, len(events), *(c for c in cuts if c < len(events))})
        replayed: Any = None
        with store.transaction() as tx:
            tx.execute(f"DELETE FROM {CAREER_FACTS.name}")
            for start, end in pairwise(bounds):
                for event in events[start:end]:
                    replayed = event.mutate(replayed)
                rows = CAREER_FACTS_MODEL.rows(replayed, SCHEDULE, events[start:end])
                # Each event's position as the projector gives it: here, its version.
                positions = {e.originator_version: e.originator_version for e in events}
                found = with_positions(CAREER_FACTS, rows[CAREER_FACTS.name], positions)
                tx.executemany(CAREER_FACTS.insert + " ON CONFLICT DO NOTHING", found)
        stored = _stored(store_environment(url), len(events))
        assert stored == {str(worker.id): (name, worker.facts)}

    try:
        check()
    finally:
        store.close()


@pytest.fixture
def projected(url: str) -> Iterator[tuple[Ledger, ReadStore]]:
    ledger = Ledger(env=store_environment(url))
    ledger.bootstrap("baohe-2020")
    generate(ledger, workers=25, years=6, seed=5)
    store = ReadStore(url)
    try:
        yield ledger, store
    finally:
        store.close()
        ledger.close()


def _head(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def test_the_rebuild_writes_every_workers_facts(projected: tuple[Ledger, ReadStore]) -> None:
    ledger, store = projected
    Projector(ledger, store).rebuild(processes=2)
    assert ready(ledger, store)
    assert _stored(ledger.env, _head(ledger)) == _facts(ledger, store)


def test_the_projector_writes_them_batch_by_batch(projected: tuple[Ledger, ReadStore]) -> None:
    ledger, store = projected
    Projector(ledger, store, batch_size=37).catch_up()
    assert ready(ledger, store)
    assert _stored(ledger.env, _head(ledger)) == _facts(ledger, store)


def test_events_recorded_after_a_rebuild_appear(projected: tuple[Ledger, ReadStore]) -> None:
    ledger, store = projected
    projector = Projector(ledger, store)
    projector.rebuild(processes=1)
    tree = build_tree(ledger, {"community_a": 5, "street_b": 5})
    new = worker_id(hire(ledger, tree.community_a, post=Post.OFFICER, education=Education.MASTER))
    for year in (2021, 2022, 2023):
        appraise(ledger, new, year, Rating.EXCELLENT)
    apply_steps(ledger, new, date(2024, 6, 30))
    transfer(ledger, new, tree.street_b, date(2024, 7, 1))
    assert not ready(ledger, store)
    projector.catch_up()
    assert ready(ledger, store)
    stored = _stored(ledger.env, _head(ledger))
    assert stored[str(new)] == ("张三", ledger.repository.get(new).facts)
    kinds = [fact.kind for fact in stored[str(new)][1]]
    assert kinds[0] == "HireFact" and "GradeStepFact" in kinds and kinds[-1] == "TransferFact"
    assert stored == _facts(ledger, store)
