"""``ledger simulate``: a draft policy file replayed over the history from the command line."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import main as cli
from domain.policy import load_document
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from seed.generate import generate
from tests.integration import test_cli

runner = CliRunner()
durable_store = test_cli.durable_store  # the same stores as the other CLI tests


@pytest.fixture
def history(durable_store: str) -> str:
    ledger = Ledger(env=store_environment(durable_store))
    try:
        ledger.bootstrap("baohe-2020")
        generate(ledger, workers=30, years=4, seed=11)
    finally:
        ledger.close()
    return durable_store


def events(url: str) -> int:
    ledger = Ledger(env=store_environment(url))
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def invoke(url: str, *args: str) -> Any:
    return runner.invoke(cli.app, ["simulate", *args], env={"LEDGER_DATABASE_URL": url})


def policy_file(tmp_path: Path, change: Any) -> Path:
    document = copy.deepcopy(load_document("baohe-2020"))
    document["id"] = "draft"
    document.pop("effective_from")
    change(document)
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_draft_file_is_compared_as_json_and_csv_and_nothing_is_recorded(
    history: str, tmp_path: Path
) -> None:
    before = events(history)
    draft = policy_file(tmp_path, lambda d: d["parameters"]["step_years"].update(value=2))
    spreadsheet = tmp_path / "who.csv"

    result = invoke(
        history,
        str(draft),
        "--from",
        "2016-01",
        "--to",
        "2019-12",
        "--csv",
        str(spreadsheet),
        "--json",
    )

    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    affected = answer["totals"]["workers_affected"]
    assert affected > 0 and len(answer["items"]) == affected
    assert answer["policy"] == {
        "id": "draft",
        "title": answer["policy"]["title"],
        "in_force_from": None,
    }
    assert "workers compared" in result.stderr and "pay 工资" in result.stderr
    raw = spreadsheet.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["worker_id"] for r in rows] == [w["worker_id"] for w in answer["items"]]
    assert events(history) == before


def test_a_shipped_pack_identical_to_the_adopted_one_differs_nowhere(history: str) -> None:
    result = invoke(history, "baohe-2020", "--from", "2016-01", "--to", "2019-12", "--json")

    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["items"] == [] and answer["totals"]["difference"]["total"] == "0.00"


def test_an_invalid_draft_is_refused_with_each_problem_on_its_own_line(
    history: str, tmp_path: Path
) -> None:
    def spoil(document: dict[str, Any]) -> None:
        document["parameters"]["step_years"]["value"] = 0
        del document["parameters"]["average_wages"]

    result = invoke(
        history, str(policy_file(tmp_path, spoil)), "--from", "2016-01", "--to", "2019-12"
    )

    assert result.exit_code == 1
    assert "is not a valid policy" in result.stderr
    assert "parameters.step_years" in result.stderr and "parameters.average_wages" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["baohe-2020", "--from", "2016-13", "--to", "2019-12"], "--from"),
        (["baohe-2020", "--from", "2017-01", "--to", "2016-12"], "comes before"),
        (["no-such-file.json", "--from", "2016-01", "--to", "2016-12"], "neither a shipped pack"),
        (["baohe-2020", "--from", "2016-01", "--to", "2016-12", "--unit", "x"], "--unit"),
        (
            ["baohe-2020", "--from", "2016-01", "--to", "2016-12", "--unit", "7" * 32],
            "no unit",
        ),
    ],
)
def test_a_mistake_ends_with_a_message_and_status_1(
    history: str, args: list[str], message: str
) -> None:
    result = invoke(history, *args)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


def test_a_pay_only_draft_prints_the_same_answer_from_the_read_models_as_replayed(
    history: str, tmp_path: Path
) -> None:
    """Projected, the read models price a pay-only draft without replaying the history."""
    draft = policy_file(
        tmp_path, lambda d: d["parameters"]["average_wages"].update(value={"2019": "45000"})
    )
    args = (str(draft), "--from", "2016-01", "--to", "2019-12", "--json")
    replayed = invoke(history, *args)
    projected = runner.invoke(
        cli.app, ["projections", "rebuild"], env={"LEDGER_DATABASE_URL": history}
    )
    assert projected.exit_code == 0, projected.stderr

    priced = invoke(history, *args)

    assert replayed.exit_code == priced.exit_code == 0, priced.stderr
    assert "events replayed" in replayed.stderr
    assert "priced from the stored careers" in priced.stderr
    assert json.loads(priced.stdout) == json.loads(replayed.stdout)
    assert json.loads(priced.stdout)["totals"]["workers_affected"] > 0


def test_a_career_changing_draft_prints_the_same_answer_from_the_recorded_facts(
    history: str, tmp_path: Path
) -> None:
    """Projected, the read models' recorded facts stand in for the events."""
    draft = policy_file(tmp_path, lambda d: d["parameters"]["step_years"].update(value=2))
    args = (str(draft), "--from", "2016-01", "--to", "2019-12", "--json")
    replayed = invoke(history, *args)
    projected = runner.invoke(
        cli.app, ["projections", "rebuild"], env={"LEDGER_DATABASE_URL": history}
    )
    assert projected.exit_code == 0, projected.stderr

    from_facts = invoke(history, *args)

    assert replayed.exit_code == from_facts.exit_code == 0, from_facts.stderr
    assert "events replayed" in replayed.stderr
    assert "from the recorded facts the read models keep" in from_facts.stderr
    assert json.loads(from_facts.stdout) == json.loads(replayed.stdout)
    assert json.loads(from_facts.stdout)["totals"]["workers_affected"] > 0
