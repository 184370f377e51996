"""A simulation answers about one moment: the head it read. A fact recorded (and
projected) after that, while the simulation reads the read models, is not in its answer,
on either fast path (set-wise pricing, the career facts read by forked processes), on
both databases. Readiness: a fresh projection is trusted; a column added by an upgrade is
added to the table, and trusted once a rebuild has filled it.

The fact is recorded where the simulation first reads the units, once the head is read
(``setwise.unit_infos``: both fast paths read the units there, before the stored careers
and before the processes read the career facts), and projected by a projector of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from projections.projector import Projector
from projections.simulation import Draft, Outcome, report, setwise, simulate
from projections.simulation.career_facts import ready
from projections.sql import ReadStore
from seed.generate import generate
from tests.integration.application_support import build_tree, hire
from tests.integration.test_simulation_career_facts import _steps
from tests.integration.test_simulation_setwise import FIRST_PACK, FROM, TO, _draft, _wage
from tests.stores import DATABASE_STORES, store_url


@pytest.fixture(params=DATABASE_STORES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(str(request.param), tmp_path) as found:
        yield found


@pytest.fixture
def projected(url: str) -> Iterator[tuple[Ledger, ReadStore, Any]]:
    """A generated history and a tree with free seats, the read models rebuilt."""
    ledger = Ledger(env=store_environment(url))
    ledger.bootstrap(FIRST_PACK)
    generate(ledger, workers=12, years=5, seed=7)
    tree = build_tree(ledger, quotas={"community_a": 5})
    store = ReadStore(url)
    Projector(ledger, store).rebuild(processes=1)
    try:
        yield ledger, store, tree
    finally:
        store.close()
        ledger.close()


def _answer(outcome: Outcome, chosen: Draft) -> Any:
    answer = {
        **report.summary(outcome, chosen.describe()),
        "items": [report.worker(found) for found in outcome.items],
    }
    return json.loads(json.dumps(answer))


def _hire_while_reading(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, url: str, unit: Any
) -> list[str]:
    """A hire recorded and projected as the simulation first reads the units."""
    hired: list[str] = []
    reads_units = setwise.unit_infos

    def meanwhile(*args: Any) -> None:
        if not hired:
            found = hire(ledger, unit, hire_date=date(2020, 3, 1), name="李四")
            hired.append(str(found["worker_id"]))
            other = ReadStore(url)  # another process's projector, as it were
            try:
                Projector(ledger, other).catch_up()
            finally:
                other.close()
        reads_units(*args)

    monkeypatch.setattr(setwise, "unit_infos", meanwhile)
    return hired


@pytest.mark.parametrize(
    ("change", "processes", "path"),
    [(_wage, 1, "setwise"), (_steps, 2, "career_facts")],
    ids=["pay-only, set-wise", "career-changing, career facts in two processes"],
)
def test_a_fact_recorded_after_the_simulation_read_its_head_is_not_in_its_answer(
    projected: tuple[Ledger, ReadStore, Any],
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    change: Any,
    processes: int,
    path: str,
) -> None:
    ledger, store, tree = projected
    chosen = _draft(FIRST_PACK, change)
    before = _answer(simulate(ledger, chosen, FROM, TO, limit=1000), chosen)
    hired = _hire_while_reading(monkeypatch, ledger, url, tree.community_a)

    outcome = simulate(ledger, chosen, FROM, TO, limit=1000, store=store, processes=processes)

    assert hired, "a worker was hired while the simulation read"
    assert getattr(outcome, path), f"answered on the {path} path"
    assert _answer(outcome, chosen) == before
    after = _answer(simulate(ledger, chosen, FROM, TO, limit=1000), chosen)
    assert after["totals"] != before["totals"], "the hire is counted once it is in the head"


def test_every_differing_worker_of_a_set_wise_answer_is_of_its_moment(
    projected: tuple[Ledger, ReadStore, Any],
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """All workers (the CSV): read with the sums, not later as the answer is sent."""
    ledger, store, tree = projected
    chosen = _draft(FIRST_PACK, _wage)
    hired = _hire_while_reading(monkeypatch, ledger, url, tree.community_a)

    outcome = simulate(ledger, chosen, FROM, TO, spool_dir=tmp_path, store=store)

    assert outcome.setwise and hired
    assert hired[0] not in [found.worker_id for found in outcome.workers()]
    later = simulate(ledger, chosen, FROM, TO, limit=1000, store=store)
    assert later.setwise
    assert hired[0] in [found.worker_id for found in later.items], "paid differently"


def test_a_projection_from_the_first_event_is_trusted(url: str) -> None:
    ledger = Ledger(env=store_environment(url))
    store = ReadStore(url)
    try:
        ledger.bootstrap(FIRST_PACK)
        generate(ledger, workers=5, years=3, seed=3)
        assert not ready(ledger, store), "never projected"
        Projector(ledger, store, batch_size=50).catch_up()
        assert ready(ledger, store)
    finally:
        store.close()
        ledger.close()


def test_after_an_upgrade_that_adds_a_column_the_projector_goes_on_and_the_rebuild_is_trusted(
    projected: tuple[Ledger, ReadStore, Any],
) -> None:
    """As a ledger projected before ``rm_career_facts.position`` was declared: the column
    is added empty, the projector writes the new facts' rows with it, and the fast paths
    wait for the rebuild (no mark for the tables as declared now) that fills it."""
    ledger, store, tree = projected
    with store.transaction() as tx:
        tx.execute("ALTER TABLE rm_career_facts DROP COLUMN position")
        tx.execute("DELETE FROM rm_position WHERE projection LIKE %s", ("complete %",))
    before = ledger.recorder.max_notification_id() or 0
    hire(ledger, tree.community_a, hire_date=date(2020, 3, 1), name="李四")
    projector = Projector(ledger, store)
    projector.catch_up()
    assert not ready(ledger, store)
    head = ledger.recorder.max_notification_id()
    found = store.query("SELECT COUNT(*), MAX(position) FROM rm_career_facts")[0]
    assert before < found[1] <= head, "the hire's row, with its event's position"
    projector.rebuild(processes=1)
    assert ready(ledger, store)
    nulls = store.query("SELECT COUNT(*) FROM rm_career_facts WHERE position IS NULL")[0][0]
    assert nulls == 0
