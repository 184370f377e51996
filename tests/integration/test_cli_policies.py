"""``ledger policies list | show | check | diff | schema`` on an SQLite file ledger."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import main as cli
from domain.policy import load_document
from domain.policy_schema import policy_schema
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from tests.integration.application_support import as_
from tests.unit.test_policy_posts import MAPPING, three_posts

runner = CliRunner()
DOCS_SCHEMA = Path(__file__).parents[2] / "docs" / "policy-schema.json"


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = Ledger(env=store_environment(url))
    ledger.bootstrap("chibi-2020")
    two_years = load_document("chibi-2020")
    two_years["id"] = "chibi-2024"
    two_years["parameters"]["step_years"]["value"] = 2
    ledger.adopt_policy(as_(), two_years, date(2024, 1, 1), "赤政〔2023〕9号")
    ledger.close()
    return url


def invoke(url: str, *args: str) -> Any:
    env = {"LEDGER_DATABASE_URL": url, "COLUMNS": "250"}  # wide: tables not cut
    return runner.invoke(cli.app, ["policies", *args], env=env)


def write(tmp_path: Path, name: str, document: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_list_shows_each_adopted_version_with_its_dates_and_reference(url: str) -> None:
    result = invoke(url, "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["version"], r["policy_id"], r["effective_to"]) for r in rows] == [
        (1, "chibi-2020", "2024-01-01"),
        (2, "chibi-2024", None),
    ]
    table = invoke(url, "list")
    assert table.exit_code == 0 and "赤政〔2023〕9号" in table.stdout and "版本" in table.stdout


def test_show_by_version_or_date_with_chinese_labels_and_json_as_adopted(url: str) -> None:
    by_date = invoke(url, "show", "--as-of", "2023-06-30", "--json")
    assert by_date.exit_code == 0, by_date.stderr
    assert json.loads(by_date.stdout) == load_document("chibi-2020")
    second = json.loads(invoke(url, "show", "2", "--json").stdout)
    assert second["parameters"]["step_years"]["value"] == 2

    table = invoke(url, "show", "2")
    assert "晋档所需合格年数" in table.stdout and "进入渠道资格条件" in table.stdout
    assert "原始材料" in table.stdout  # source seed, in Chinese
    assert invoke(url, "show", "9").exit_code == 1
    assert invoke(url, "show", "2", "--as-of", "2024-01-01").exit_code == 1


def test_check_lists_every_problem_in_chinese_and_english_and_exits_1(
    url: str, tmp_path: Path
) -> None:
    document = load_document("chibi-2020")
    document["parameters"]["step_years"]["value"] = 0
    document["parameters"]["channel_eligibility"]["value"]["open_recruitment"]["age_under"] = 400
    bad = write(tmp_path, "bad.json", document)

    result = invoke(url, "check", "chibi-2020", bad)

    assert result.exit_code == 1
    assert "chibi-2020: valid" in result.stderr
    assert "2 problem(s)" in result.stderr
    assert "parameters.step_years：必须是不小于 1 的整数" in result.stderr
    assert "parameters.step_years: must be a whole number >= 1" in result.stderr
    assert "年龄上限必须是 20 到 100 之间的整数" in result.stderr
    assert invoke(url, "check", "baohe-2020").exit_code == 0


def test_diff_names_each_differing_parameter_item(url: str, tmp_path: Path) -> None:
    document = load_document("chibi-2020")
    document["parameters"]["step_years"]["value"] = 2
    document["parameters"]["pay_coefficients"]["value"]["director"]["18"] = "1.9000"
    changed = write(tmp_path, "changed.json", document)

    result = invoke(url, "diff", "chibi-2020", changed, "--json")

    assert result.exit_code == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"parameter": "step_years", "item": "value", "a": 3, "b": 2},
        {"parameter": "pay_coefficients", "item": "director.18", "a": "1.8332", "b": "1.9000"},
    ]
    packs = invoke(url, "diff", "baohe-2020", "chibi-2020")
    assert packs.exit_code == 0 and "进入渠道资格条件" in packs.stdout


def test_the_published_schema_file_is_the_one_the_code_makes(url: str) -> None:
    result = invoke(url, "schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == policy_schema()
    assert DOCS_SCHEMA.read_text(encoding="utf-8") == result.stdout, (
        "docs/policy-schema.json is stale: ledger policies schema > docs/policy-schema.json"
    )


def test_show_lists_the_posts_with_their_labels_and_bands_and_the_mapping(
    url: str, tmp_path: Path
) -> None:
    ledger = Ledger(env=store_environment(url))
    ledger.adopt_policy(as_(), three_posts(dict(MAPPING)), date(2025, 1, 1), "赤政〔2024〕1号")
    ledger.close()

    shown = invoke(url, "show", "--as-of", "2025-06-01")

    assert shown.exit_code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert any(
        "head" in x and "社区正职" in x and "Community head" in x and "7–18" in x for x in lines
    )
    assert any("staff" in x and "其他工作人员" in x and "1–12" in x for x in lines)
    assert "director → head" in shown.stdout
    before = invoke(url, "show", "1")
    assert "主办" in before.stdout and "Officer" in before.stdout and "3–14" in before.stdout


def test_diff_shows_the_posts_added_and_dropped_and_where_the_mapping_sends_them(
    tmp_path: Path,
) -> None:
    three = write(tmp_path, "three.json", three_posts({"director": "head", "officer": "staff"}))

    table = runner.invoke(
        cli.app, ["policies", "diff", "chibi-2020", three], env={"COLUMNS": "250"}
    )
    as_json = runner.invoke(cli.app, ["policies", "diff", "chibi-2020", three, "--json"])

    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert any("新增" in x and "head 社区正职" in x for x in lines)
    assert any("取消" in x and "officer 主办" in x and "staff 其他工作人员" in x for x in lines)
    assert any("取消" in x and "assistant 助理" in x and "未映射" in x for x in lines)
    posts = [json.loads(x) for x in as_json.stdout.splitlines() if '"posts"' in x][-1]["posts"]
    assert posts["added"] == ["head", "deputy", "staff"]
    assert posts["dropped"] == {
        "director": "head",
        "deputy_director": None,
        "officer": "staff",
        "assistant": None,
    }
