"""The audit page (审计): the last ``ledger verify`` and the activity feed, by role and scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import main as cli
from console.app import create_app
from console.session import current_person
from domain.access import Actor
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.settings import Settings
from tests.integration.application_support import Tree, as_, build_tree, hire, transfer, worker_id


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/l.db"


@pytest.fixture
def app(url: str) -> Iterator[FastAPI]:
    application = create_app(Settings(database_url=url))
    with TestClient(application):
        yield application


def ledger_of(app: FastAPI) -> Ledger:
    ledger: Ledger = app.state.ledger
    return ledger


def as_person(app: FastAPI, actor: Actor) -> TestClient:
    app.dependency_overrides[current_person] = lambda: actor
    return TestClient(app)


def story(app: FastAPI) -> Tree:
    ledger = ledger_of(app)
    tree = build_tree(ledger, {"street_a": 5, "street_b": 5, "community_a": 5})
    clerk = as_(Actor("刘敏", Role.CLERK, tree.street_a))
    hire(ledger, tree.community_a, name="张三", ctx=clerk)
    moved = worker_id(hire(ledger, tree.street_b, name="李四", ctx=as_(Actor("王芳", Role.ADMIN))))
    transfer(ledger, moved, tree.street_a, date(2023, 2, 1))
    return tree


def test_the_feed_lists_a_hire_with_its_authors_name_and_the_unit(app: FastAPI) -> None:
    story(app)

    page = as_person(app, Actor("审计员", Role.AUDITOR)).get("/audit")

    assert page.status_code == 200
    text = page.text
    assert "操作记录" in text and "记录人" in text
    row = next(r for r in text.split("<tr>") if "张三" in r and "录用" in r)
    assert "刘敏" in row and "南湖社区" in row and "录用:助理" in row
    assert "核定员额 5 名" in text  # a unit's fact, in Chinese
    assert "340104" not in text  # no identifier ever in the feed
    assert "尚未运行过 ledger verify 校验" in text


def test_the_feed_filters_by_author_and_by_unit(app: FastAPI) -> None:
    tree = story(app)
    client = as_person(app, Actor("审计员", Role.AUDITOR))

    by_author = client.get("/audit", params={"author": "刘敏"}).text
    by_unit = client.get("/audit", params={"unit_id": str(tree.street_b), "author": ""}).text

    assert "张三" in by_author and "李四" not in by_author
    assert "李四" in by_unit and "张三" not in by_unit


def test_a_clerk_sees_only_their_subtrees_activity_and_is_refused_another_street(
    app: FastAPI,
) -> None:
    tree = story(app)
    client = as_person(app, Actor("常青街道-陈静", Role.CLERK, tree.street_b))

    mine = client.get("/audit").text
    other = client.get("/audit", params={"unit_id": str(tree.street_a)})

    assert "李四" in mine and "张三" not in mine  # 李四 was hired here, then left
    assert "调动:常青街道 → 望湖街道" in mine
    assert other.status_code == 403 and "Traceback" not in other.text


def test_a_reporter_gets_a_refusal_page(app: FastAPI) -> None:
    page = as_person(app, Actor("报表员", Role.REPORTER)).get("/audit")

    assert page.status_code == 403
    assert "<html" in page.text and "操作记录" not in page.text


def test_the_result_of_ledger_verify_appears_after_it_ran(app: FastAPI, url: str) -> None:
    story(app)
    ran = CliRunner().invoke(cli.app, ["verify"], env={"LEDGER_DATABASE_URL": url})
    assert ran.exit_code == 0, ran.stderr
    anchor = ran.stdout.strip()

    text = as_person(app, Actor("审计员", Role.AUDITOR)).get("/audit").text

    assert "完好" in text and anchor in text
    assert "(ledger verify)" in text and "运行 ledger verify" in text
