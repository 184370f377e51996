"""Tamper evidence: ``verify`` finds every altered, inserted or deleted stored record.

The tampering is done the way an intruder with database access would: SQL on the
events table, behind the application's back (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain import chain
from domain.vocabulary import Rating
from domain.worker import Worker
from ledger.adapters.encryption import cipher_environment, new_key
from ledger.adapters.integrity import ALTERED, ANCHOR, DELETED, INSERTED, UNREADABLE, Anchor, verify
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from seed.demo import load_demo
from tests.integration.application_support import (
    ADMIN,
    apply_steps,
    appraise,
    build_tree,
    hire,
    worker_id,
)
from tests.stores import store_url

DURABLE = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass(frozen=True)
class Row:
    notification_id: int
    version: int
    topic: str
    state: bytes


class Raw:
    """The events table, edited directly (not through the ledger)."""

    def __init__(self, url: str, ledger: Ledger) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self.table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
        self.id_column = "rowid" if self.sqlite else "notification_id"

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        sql = sql.format(table=self.table, nid=self.id_column)
        if self.sqlite:
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as conn:
                return conn.execute(sql, params).fetchall()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def _id(self, aggregate_id: UUID) -> Any:
        return aggregate_id.hex if self.sqlite else aggregate_id  # how each recorder keeps ids

    def rows(self, aggregate_id: UUID) -> list[Row]:
        found = self._run(
            "SELECT {nid}, originator_version, topic, state FROM {table} "
            "WHERE originator_id = ? ORDER BY originator_version",
            (self._id(aggregate_id),),
        )
        return [Row(n, v, t, bytes(s)) for n, v, t, s in found]

    def set_state(self, notification_id: int, state: bytes) -> None:
        self._run("UPDATE {table} SET state = ? WHERE {nid} = ?", (state, notification_id))

    def delete(self, notification_id: int) -> None:
        self._run("DELETE FROM {table} WHERE {nid} = ?", (notification_id,))

    def insert(self, aggregate_id: UUID, version: int, topic: str, state: bytes) -> None:
        self._run(
            "INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            (self._id(aggregate_id), version, topic, state),
        )


@dataclass
class Scene:
    ledger: Ledger
    raw: Raw
    worker: UUID  # hired, then appraised for 2021, 2022 and 2023: versions 1 to 4

    def worker_rows(self) -> list[Row]:
        return self.raw.rows(self.worker)


def open_ledger(url: str, key: str | None = None) -> Ledger:
    return Ledger(env={**store_environment(url), **cipher_environment(key)})


def record_scene(url: str, key: str | None = None) -> Scene:
    ledger = open_ledger(url, key)
    ledger.bootstrap("baohe-2020")
    tree = build_tree(ledger, {"community_a": 5})
    worker = worker_id(hire(ledger, tree.community_a))
    for year in (2021, 2022, 2023):
        appraise(ledger, worker, year, Rating.COMPETENT)
    return Scene(ledger, Raw(url, ledger), worker)


@pytest.fixture(params=DURABLE)
def scene(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scene]:
    with store_url(request.param, tmp_path) as url:
        made = record_scene(url)
        try:
            yield made
        finally:
            made.ledger.close()


def edited(state: bytes, **changes: Any) -> bytes:
    fields = json.loads(state)
    fields.update(changes)
    return json.dumps(fields, separators=(",", ":")).encode()


def only_problem(report: Any) -> Any:
    assert report.problem_count == 1, [p.as_dict() for p in report.problems]
    return report.problems[0]


def assert_names(problem: Any, kind: str, aggregate: UUID, row: Row) -> None:
    assert (problem.kind, problem.aggregate_id, problem.version, problem.notification_id) == (
        kind,
        str(aggregate),
        row.version,
        row.notification_id,
    )


# -- intact -------------------------------------------------------------------------------------
def test_an_intact_store_passes_with_every_event_counted(store: str) -> None:
    ledger = open_ledger(store)
    try:
        ledger.bootstrap("baohe-2020")
        tree = build_tree(ledger, {"community_a": 5})
        appraise(ledger, worker_id(hire(ledger, tree.community_a)), 2021, Rating.EXCELLENT)
        report = verify(ledger, page=7)  # pages smaller than the log: the walk spans them
        total = ledger.recorder.max_notification_id()
    finally:
        ledger.close()
    assert report.intact, report.as_dict()
    assert report.events == report.chained_events == total
    assert report.pre_chain_events == 0
    assert report.anchor is not None
    assert (report.anchor.position, report.anchor.count) == (total, total)


def test_the_demo_district_verifies_intact(tmp_path: Path) -> None:
    ledger = open_ledger(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        ledger.bootstrap("baohe-2020")
        load_demo(ledger, workers=40, seed=3)
        report = verify(ledger)
    finally:
        ledger.close()
    assert report.intact, report.as_dict()["problems"]
    assert report.events > 300


def test_the_anchor_is_the_same_on_two_walks_and_proves_an_unchanged_log(scene: Scene) -> None:
    first = verify(scene.ledger)
    second = verify(scene.ledger, against=first.anchor)
    assert second.intact
    assert second.anchor == first.anchor


def test_an_old_anchor_still_holds_after_new_facts_are_recorded(scene: Scene) -> None:
    anchor = verify(scene.ledger).anchor
    appraise(scene.ledger, scene.worker, 2024, Rating.EXCELLENT)
    report = verify(scene.ledger, against=anchor)
    assert report.intact, report.as_dict()["problems"]
    assert report.anchor is not None and anchor is not None
    assert report.anchor.count == anchor.count + 1


# -- altered ------------------------------------------------------------------------------------
def test_editing_a_stored_events_bytes_is_detected_and_named(scene: Scene) -> None:
    appraised_2022 = scene.worker_rows()[2]
    assert appraised_2022.topic.endswith("Worker.Appraised")
    scene.raw.set_state(
        appraised_2022.notification_id, edited(appraised_2022.state, rating="excellent")
    )

    problem = only_problem(verify(scene.ledger))

    assert_names(problem, ALTERED, scene.worker, appraised_2022)
    assert "does not match its chain hash" in problem.detail


def test_editing_who_recorded_a_fact_is_detected(scene: Scene) -> None:
    hired = scene.worker_rows()[0]
    scene.raw.set_state(hired.notification_id, edited(hired.state, recorded_by="somebody-else"))
    assert_names(only_problem(verify(scene.ledger)), ALTERED, scene.worker, hired)


def test_bytes_that_no_longer_decode_are_reported_as_unreadable(scene: Scene) -> None:
    hired = scene.worker_rows()[0]
    scene.raw.set_state(hired.notification_id, hired.state[:-5])
    assert_names(only_problem(verify(scene.ledger)), UNREADABLE, scene.worker, hired)


def test_an_edit_with_a_recomputed_hash_breaks_the_link_to_the_next_record(scene: Scene) -> None:
    # The intruder knows the scheme: they rewrite version 2 and give it a fresh, valid
    # hash. Version 3 was chained to the old one, so the chain breaks there.
    rows = scene.worker_rows()
    fields = json.loads(rows[1].state)
    fields["rating"] = "excellent"
    decoded = scene.ledger.mapper.transcoder.decode(json.dumps(fields).encode())
    decoded.pop(chain.CHAIN_FIELD)
    previous = json.loads(rows[0].state)[chain.CHAIN_FIELD]
    fields[chain.CHAIN_FIELD] = chain.link(previous, rows[1].topic, scene.worker, 2, decoded)
    scene.raw.set_state(rows[1].notification_id, json.dumps(fields).encode())

    problem = only_problem(verify(scene.ledger))

    assert_names(problem, ALTERED, scene.worker, rows[2])
    assert "version 2 was rewritten" in problem.detail


# -- deleted ------------------------------------------------------------------------------------
def test_a_deleted_middle_event_is_detected_as_missing(scene: Scene) -> None:
    rows = scene.worker_rows()
    scene.raw.delete(rows[1].notification_id)

    problem = only_problem(verify(scene.ledger))

    assert_names(problem, DELETED, scene.worker, rows[2])
    assert "version 2 of this aggregate is missing" in problem.detail
    gone = rows[1].notification_id
    assert any(low <= gone <= high for low, high in verify(scene.ledger).notification_gaps)


def test_a_deleted_first_event_is_detected(scene: Scene) -> None:
    rows = scene.worker_rows()
    scene.raw.delete(rows[0].notification_id)
    assert_names(only_problem(verify(scene.ledger)), DELETED, scene.worker, rows[1])


def test_a_deleted_last_event_is_caught_by_an_anchor_taken_before(scene: Scene) -> None:
    anchor = verify(scene.ledger).anchor
    last = scene.worker_rows()[-1]
    scene.raw.delete(last.notification_id)

    # The worker's chain is shorter but whole: the chains alone cannot tell...
    assert verify(scene.ledger).intact
    # ...the anchor kept outside the database can.
    problem = only_problem(verify(scene.ledger, against=anchor))
    assert problem.kind == ANCHOR
    assert "1 fewer events" in problem.detail


def test_a_unit_losing_its_last_event_in_the_middle_of_the_log_is_caught_by_the_anchor(
    scene: Scene,
) -> None:
    anchor = verify(scene.ledger).anchor
    hired = scene.worker_rows()[0]
    # The hire assigned a seat in the community: that unit's last event sits right after it.
    later = [
        r
        for r in scene.raw._run(
            "SELECT {nid}, originator_id FROM {table} WHERE {nid} > ? ORDER BY {nid}",
            (hired.notification_id,),
        )
        if r[1] != scene.raw._id(scene.worker)
    ]
    scene.raw.delete(later[0][0])

    assert verify(scene.ledger).intact
    assert only_problem(verify(scene.ledger, against=anchor)).kind == ANCHOR


# -- inserted -----------------------------------------------------------------------------------
def test_a_forged_event_appended_to_a_chain_is_detected(scene: Scene) -> None:
    last = scene.worker_rows()[-1]
    forged_state = edited(last.state, year=2024, rating="excellent")
    scene.raw.insert(scene.worker, last.version + 1, last.topic, forged_state)
    forged = scene.worker_rows()[-1]

    problem = only_problem(verify(scene.ledger))

    assert_names(problem, ALTERED, scene.worker, forged)
    assert "forged" in problem.detail


def test_an_unchained_event_inserted_after_chained_ones_is_detected(scene: Scene) -> None:
    last = scene.worker_rows()[-1]
    fields = json.loads(last.state)
    del fields[chain.CHAIN_FIELD], fields["class_version"]  # dressed as a pre-chain event
    fields["year"] = 2024
    scene.raw.insert(scene.worker, last.version + 1, last.topic, json.dumps(fields).encode())
    forged = scene.worker_rows()[-1]

    problem = only_problem(verify(scene.ledger))

    assert_names(problem, INSERTED, scene.worker, forged)


def test_a_record_naming_no_event_class_is_detected(scene: Scene) -> None:
    last = scene.worker_rows()[-1]
    scene.raw.insert(scene.worker, last.version + 1, "nowhere:Nothing", last.state)
    forged = scene.worker_rows()[-1]
    assert_names(only_problem(verify(scene.ledger)), INSERTED, scene.worker, forged)


def test_every_problem_is_counted_not_only_the_first(scene: Scene) -> None:
    rows = scene.worker_rows()
    scene.raw.set_state(rows[0].notification_id, edited(rows[0].state, name="李四"))
    scene.raw.delete(rows[2].notification_id)
    report = verify(scene.ledger)
    assert [(p.kind, p.version) for p in report.problems] == [(ALTERED, 1), (DELETED, 4)]


# -- events recorded before the chain -----------------------------------------------------------
def test_events_recorded_before_the_chain_load_and_the_chain_starts_after_them(
    scene: Scene,
) -> None:
    # A copy of the worker's first two events as they were stored before chains
    # existed: no chain hash, no class version.
    legacy = uuid4()
    for row in scene.worker_rows()[:2]:
        fields = json.loads(row.state)
        del fields[chain.CHAIN_FIELD], fields["class_version"]
        scene.raw.insert(legacy, row.version, row.topic, json.dumps(fields).encode())

    worker = scene.ledger.repository.get(legacy)
    assert isinstance(worker, Worker)
    schedule = scene.ledger.schedule()
    worker.record_appraisal(year=2022, rating=Rating.EXCELLENT, schedule=schedule)
    scene.ledger.save(worker)
    report = verify(scene.ledger)

    assert report.intact, report.as_dict()["problems"]
    assert report.pre_chain_events == 2
    stored = list(scene.ledger.events.get(legacy))
    assert [e.chain_hash is None for e in stored] == [True, True, False]


def test_a_step_stored_by_the_previous_event_version_reads_as_a_three_year_step_and_verifies(
    scene: Scene,
) -> None:
    # The step as GradeStepped class version 2 stored it: ``rule`` three_year_step, no
    # interval, hashed in its chain as it was (the store is written as an older ledger did).
    apply_steps(scene.ledger, scene.worker, date(2024, 2, 1))
    *_, before, step = scene.worker_rows()
    assert step.topic.endswith("Worker.GradeStepped")
    transcoder = scene.ledger.mapper.transcoder
    fields = transcoder.decode(step.state)
    assert (fields["class_version"], fields["interval_years"]) == (3, 3)
    del fields["interval_years"]
    fields.update(rule="three_year_step", class_version=2)
    fields.pop(chain.CHAIN_FIELD)
    previous = transcoder.decode(before.state)[chain.CHAIN_FIELD]
    fields[chain.CHAIN_FIELD] = chain.link(previous, step.topic, scene.worker, step.version, fields)
    scene.raw.set_state(step.notification_id, transcoder.encode(fields))

    reopened = open_ledger(scene.raw.url)
    try:
        (stored,) = [e for e in reopened.events.get(scene.worker) if e.originator_version == 5]
        history = reopened.worker_history(ADMIN, scene.worker, None)
        report = verify(reopened)
    finally:
        reopened.close()
    assert (stored.rule, stored.interval_years) == ("grade_step", 3)
    stepped = next(i for i in history if i["type"] == "GradeStepped")
    assert (stepped["data"]["rule"], stepped["data"]["rule_label"]) == ("grade_step", "三年晋档")
    assert report.intact, report.as_dict()["problems"]
    assert transcoder.decode(scene.worker_rows()[-1].state)["rule"] == "three_year_step"


# -- encrypted at rest --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", DURABLE)
def test_with_an_encryption_key_no_personal_field_is_stored_in_clear_and_the_chain_verifies(
    kind: str, tmp_path: Path
) -> None:
    with store_url(kind, tmp_path) as url:
        scene = record_scene(url, key=new_key())
        try:
            hired = scene.worker_rows()[0]
            for personal in ("张三", "340104198808081234", "1988-08-08"):
                assert personal.encode() not in hired.state
            assert scene.ledger.repository.get(scene.worker).person.name == "张三"
            assert verify(scene.ledger).intact

            appraised = scene.worker_rows()[1]
            flipped = bytes([appraised.state[40] ^ 1])
            damaged = appraised.state[:40] + flipped + appraised.state[41:]
            scene.raw.set_state(appraised.notification_id, damaged)
            problem = only_problem(verify(scene.ledger))
        finally:
            scene.ledger.close()
    assert_names(problem, UNREADABLE, scene.worker, appraised)
    assert "cannot be decrypted" in problem.detail


def test_the_chain_is_over_recorded_values_so_it_is_the_same_with_or_without_encryption(
    tmp_path: Path,
) -> None:
    # Copy an encrypted store's events, decrypted, into a plain one: the chains and
    # the anchor still verify (the hash covers the fields, not the stored bytes).
    key = new_key()
    scene = record_scene(f"sqlite:///{tmp_path / 'secret.db'}", key=key)
    plain = open_ledger(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        secret_anchor = verify(scene.ledger).anchor
        notifications = scene.ledger.recorder.select_notifications(start=None, limit=10_000)
        plain.recorder.insert_events(
            [
                plain.mapper.to_stored_event(scene.ledger.mapper.to_domain_event(n))
                for n in notifications
            ]
        )
        report = verify(plain, against=secret_anchor)
    finally:
        scene.ledger.close()
        plain.close()
    assert report.intact, report.as_dict()["problems"]


# -- the anchor's text --------------------------------------------------------------------------
def test_an_anchor_reads_back_from_its_text() -> None:
    anchor = Anchor(12, 11, "a" * 64)
    assert Anchor.parse(f" {anchor} ") == anchor


@pytest.mark.parametrize("text", ["", "12:ab", "12:11:" + "g" * 64, "x:1:" + "a" * 64])
def test_a_malformed_anchor_is_refused_naming_the_option(text: str) -> None:
    from domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        Anchor.parse(text)
    assert refused.value.field == "against"
