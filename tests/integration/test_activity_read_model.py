"""The activity feed's read model (rm_activity) and its query, on every store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from domain.access import Actor
from domain.vocabulary import Rating, Role
from ledger.application import Ledger
from projections.projector import Projector
from projections.queries import activity
from projections.queries.scope import report_root
from projections.sql import ReadStore
from tests.integration.application_support import (
    Tree,
    appraise,
    as_,
    build_tree,
    hire,
    transfer,
    worker_id,
)
from tests.integration.read_model_support import snapshot


@pytest.fixture
def projector(ledger: Ledger, store: str) -> Iterator[Projector]:
    read_store = ReadStore(store)
    try:
        yield Projector(ledger, read_store, batch_size=3)
    finally:
        read_store.close()


def story(ledger: Ledger) -> Tree:
    tree = build_tree(ledger, {"street_a": 5, "street_b": 5, "community_a": 5})
    clerk = as_(Actor("望湖街道-刘敏", Role.CLERK, tree.street_a))
    first = worker_id(hire(ledger, tree.community_a, name="张三", ctx=clerk))
    appraise(ledger, first, 2021, Rating.EXCELLENT)
    transfer(ledger, first, tree.street_b, date(2023, 2, 1))
    # Recorded after the transfer, dated before it: it concerns the unit of 2022.
    appraise(ledger, first, 2022, Rating.COMPETENT)
    hire(ledger, tree.street_b, name="李四")
    return tree


def rows(projector: Projector, where: activity.ActivityFilter) -> list[dict[str, object]]:
    return activity.page(projector.store, where, limit=100)


def test_the_feed_lists_every_fact_newest_first_with_its_author_and_unit(
    ledger: Ledger, projector: Projector
) -> None:
    tree = story(ledger)
    projector.catch_up()

    found = rows(projector, activity.ActivityFilter())

    kinds = [(r["type"], r["worker_name"] or r["unit_name"]) for r in found]
    assert kinds[:5] == [
        ("Hired", "李四"),
        ("Appraised", "张三"),
        ("Transferred", "张三"),
        ("Appraised", "张三"),
        ("Hired", "张三"),
    ]
    hired = found[4]
    assert hired["recorded_by"] == "望湖街道-刘敏" and hired["unit_name"] == "南湖社区"
    assert "id_number" not in hired["data"]  # type: ignore[operator]
    moved = found[2]
    assert (moved["unit_id"], moved["from_unit_id"]) == (str(tree.street_b), str(tree.community_a))
    assert found[1]["unit_name"] == "南湖社区"  # the 2022 appraisal: before the transfer
    assert [r["recorded_at"] for r in found] == sorted(
        (r["recorded_at"] for r in found), reverse=True
    )
    assert {"Registered", "QuotaApproved"} <= {r["type"] for r in found}
    assert "SeatsAssigned" not in {r["type"] for r in found}


def test_a_clerk_sees_their_subtree_only_and_a_transfer_in_both_units(
    ledger: Ledger, projector: Projector
) -> None:
    tree = story(ledger)
    projector.catch_up()
    clerk = Actor("常青街道-王强", Role.CLERK, tree.street_b)

    root = report_root(projector.store, clerk, None)
    found = rows(projector, activity.ActivityFilter(root=root))

    names = {(r["type"], r["worker_name"]) for r in found if r["aggregate_kind"] == "worker"}
    assert names == {("Hired", "李四"), ("Transferred", "张三")}
    in_a = rows(projector, activity.ActivityFilter(root=str(tree.street_a)))
    assert ("Transferred", "张三") in {(r["type"], r["worker_name"]) for r in in_a}


def test_the_feed_filters_by_author_and_pages_without_repeating(
    ledger: Ledger, projector: Projector
) -> None:
    story(ledger)
    projector.catch_up()

    mine = rows(projector, activity.ActivityFilter(author="望湖街道-刘敏"))
    assert [r["type"] for r in mine] == ["Hired"]
    assert "望湖街道-刘敏" in activity.authors(projector.store)

    everything = rows(projector, activity.ActivityFilter())
    paged: list[dict[str, object]] = []
    after = None
    while batch := activity.page(projector.store, activity.ActivityFilter(), 4, after):
        paged += batch
        after = activity.Cursor.decode(str(batch[-1]["cursor"]))
    assert paged == everything


def test_the_activity_table_equals_a_rebuild(ledger: Ledger, projector: Projector) -> None:
    story(ledger)
    projector.catch_up()
    incremental = snapshot(projector)

    projector.rebuild()

    assert snapshot(projector) == incremental
    assert len(incremental["rm_activity"]) > 10
