"""The policies page (政策): adopted versions on a timeline, every parameter in Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from console.app import create_app
from console.session import current_person
from domain.access import Actor
from domain.policy import load_document
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.settings import Settings
from tests.integration.application_support import as_


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app(Settings(database_url=f"sqlite:///{tmp_path}/l.db"))
    with TestClient(application):
        application.dependency_overrides[current_person] = lambda: Actor("审计员", Role.AUDITOR)
        yield application


def ledger_of(app: FastAPI) -> Ledger:
    ledger: Ledger = app.state.ledger
    return ledger


def adopt_raise(app: FastAPI) -> None:
    document = load_document("baohe-2020")
    document["id"] = "baohe-2024"
    document["title_zh"] = "包河区员额制(2024 年调整)"
    document["parameters"]["average_wages"]["value"]["2023"] = "52000"
    ledger_of(app).adopt_policy(
        as_(Actor("王芳", Role.ADMIN)), document, date(2024, 1, 1), "包人社〔2024〕3号"
    )


def test_the_page_lists_every_parameter_with_its_chinese_label_source_and_note(
    app: FastAPI,
) -> None:
    page = TestClient(app).get("/policies")

    assert page.status_code == 200
    text = page.text
    for label in (
        "岗位等级范围(四岗十八级)",
        "等级工资系数表",
        "员额基数",
        "单位类别系数",
        "经费分担比例",
        "职业资格证书津贴",
        "规则阈值",
    ):
        assert label in text
    assert "<td>主管</td>" in text and "<td>助理</td>" in text  # posts by their Chinese labels
    assert "依据文件" in text and "默认取值(未见公布)" in text  # sources in Chinese
    assert "三年一晋档" in text  # a note, as the pack states it
    assert '<td class="num">1.8332</td>' in text  # the director's top coefficient
    assert "70%" in text and "30%" in text  # the city's share and the local share
    assert 'data-chart="coefficients"' in text and "echarts.min.js" in text
    assert "style=" not in text


def test_the_timeline_names_each_version_its_dates_document_and_who_adopted_it(
    app: FastAPI,
) -> None:
    adopt_raise(app)

    text = TestClient(app).get("/policies").text

    assert "第 1 版" in text and "第 2 版" in text
    assert "自 2024年1月1日 起施行" in text and "至 2024年1月1日 止" in text
    assert "包人社〔2024〕3号" in text and "由 王芳 于" in text
    assert "包河区员额制(2024 年调整)" in text


def test_a_chosen_version_or_date_shows_that_versions_figures(app: FastAPI) -> None:
    adopt_raise(app)
    client = TestClient(app)

    first = client.get("/policies?version=1").text
    second = client.get("/policies?version=2").text
    by_date = client.get("/policies?version=&as_of=2023-06-30").text

    assert "52,000.00" in second and "52,000.00" not in first
    assert re.search(r"<h2>第 1 版:", by_date)
    assert "39,300.00" in first  # the pack's 2019 wage


def test_an_unknown_version_is_a_refusal_page_in_chinese(app: FastAPI) -> None:
    page = TestClient(app).get("/policies?version=9")

    assert page.status_code == 404
    assert "Traceback" not in page.text and "<html" in page.text
