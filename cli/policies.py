"""``ledger policies``: the adopted versions, a version's document, checking a policy file
and comparing two, with Chinese labels (the catalogue's ``policy.parameter.*``).

``show --json`` prints the document exactly as adopted: ``ledger simulate`` and
``POST /policies`` accept it unchanged. ``check`` lists every problem, in Chinese and
English, and exits 1 when there is one; ``schema`` prints the JSON Schema of the format
(``docs/policy-schema.json`` is its output).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.common import AsJson, CliError, json_lines, ledger_for, load_settings, stderr, user_errors
from domain import catalogue
from domain.errors import PolicyInvalid
from domain.policy import Policy, load_document
from domain.policy_parts import ALL_PARAMETERS
from domain.policy_schema import policy_schema
from ledger.policies import posts_changed, posts_listed

policies_app = typer.Typer(
    help="Policy versions and policy files (政策版本与政策文件).", no_args_is_help=True
)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def _label(name: str) -> str:
    return catalogue.text(f"policy.parameter.{name}")


def _source(code: Any) -> str:
    return f"{code} {catalogue.text(f'policy.source.{code}')}" if isinstance(code, str) else "-"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


@policies_app.command("list")
def list_versions(
    as_json: AsJson = False,
) -> None:
    """The adopted versions in version order (版本、生效日期、文号、采纳人)."""
    settings = load_settings()
    with user_errors(settings), ledger_for(settings) as ledger:
        versions = ledger.policy_versions()
    if as_json:
        json_lines(versions)
        return
    table = Table("版本 version", "生效 from", "至 to", "政策 policy", "文号 ref", "采纳人 by")
    for v in versions:
        table.add_row(
            str(v["version"]),
            v["effective_date"].isoformat(),
            v["effective_to"].isoformat() if v["effective_to"] else "—",
            escape(str(v["title_zh"] or v["policy_id"])),
            escape(v["document_ref"]),
            escape(v["recorded_by"]),
        )
    Console(highlight=False).print(table)
    if not versions:
        stderr().print("No policy adopted yet (尚未采纳任何政策版本).")


@policies_app.command("show")
def show(
    version: Annotated[
        int | None, typer.Argument(metavar="[VERSION]", help="An adopted version's number.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The version in force on this date (default today)."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the document as adopted (adoptable unchanged)."),
    ] = False,
) -> None:
    """A version's parameters with their Chinese labels and sources: VERSION, or the
    version in force on --as-of (default today)."""
    settings = load_settings()
    with user_errors(settings):
        if version is not None and as_of is not None:
            raise CliError("give a VERSION or --as-of, not both")
        day = _day(as_of) if as_of else date.today()
        with ledger_for(settings) as ledger:
            if version is not None:
                document = ledger.policy_document_of(version)
            else:
                document = ledger.policy_document(day)
    if as_json:
        _print_json(document)
        return
    _print_document(document)


@policies_app.command("check")
def check(
    policy_files: Annotated[
        list[str],
        typer.Argument(metavar="FILE...", help="Policy files (JSON), or shipped packs' names."),
    ],
) -> None:
    """Check policy files as adopting would, listing every problem (中文 and English);
    exit status 1 when any file has one."""
    failed = 0
    for name in policy_files:
        try:
            Policy.from_document(load_document(name))
        except PolicyInvalid as error:
            failed += 1
            stderr().print(
                f"[bold red]{escape(name)}: {len(error.problems)} problem(s)[/]", soft_wrap=True
            )
            for zh, en in zip(error.in_locale(catalogue.ZH), error.problems, strict=True):
                stderr().print(f"  - {escape(zh)}\n    {escape(en)}", soft_wrap=True)
            continue
        stderr().print(f"[green]{escape(name)}: valid (有效)[/]", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@policies_app.command("diff")
def diff(
    first: Annotated[str, typer.Argument(metavar="A", help="A policy file or pack name.")],
    second: Annotated[str, typer.Argument(metavar="B", help="A policy file or pack name.")],
    as_json: AsJson = False,
) -> None:
    """Compare two policies parameter by parameter: every value that differs (down to
    one grade's coefficient) and every source that differs."""
    with user_errors():
        a, b = load_document(first), load_document(second)
    changes = differences(a, b)
    posts = posts_changed(a, b)
    if as_json:
        for change in changes:
            sys.stdout.write(json.dumps(change, ensure_ascii=False) + "\n")
        if posts["added"] or posts["dropped"] or posts["mapping"]:
            sys.stdout.write(json.dumps({"posts": posts}, ensure_ascii=False) + "\n")
        return
    _print_posts_changed(a, b, posts)
    if not changes:
        stderr().print("The two policies say the same (两份政策参数相同).")
        return
    table = Table("参数 parameter", "项 item", escape(first), escape(second))
    for change in changes:
        table.add_row(
            f"{_label(change['parameter'])}\n{change['parameter']}",
            escape(change["item"]),
            escape(_compact(change["a"])),
            escape(_compact(change["b"])),
        )
    Console(highlight=False).print(table)


@policies_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the policy format (docs/policy-schema.json)."""
    _print_json(policy_schema())


def differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each differing leaf of two documents' parameters: parameter, item (a dotted path
    within the value, ``source`` for the source), and both values (None: absent)."""
    found: list[dict[str, Any]] = []
    params_a, params_b = _parameters(a), _parameters(b)
    names = [n for n in ALL_PARAMETERS if n in params_a or n in params_b]
    names += sorted((set(params_a) | set(params_b)) - set(names))
    for name in names:
        entry_a, entry_b = params_a.get(name, {}), params_b.get(name, {})
        leaves_a, leaves_b = _leaves(entry_a.get("value")), _leaves(entry_b.get("value"))
        for item in list(dict.fromkeys([*leaves_a, *leaves_b])):
            if leaves_a.get(item) != leaves_b.get(item):
                found.append(
                    {
                        "parameter": name,
                        "item": item,
                        "a": leaves_a.get(item),
                        "b": leaves_b.get(item),
                    }
                )
        if entry_a.get("source") != entry_b.get("source"):
            found.append(
                {
                    "parameter": name,
                    "item": "source",
                    "a": entry_a.get("source"),
                    "b": entry_b.get("source"),
                }
            )
    return found


def _parameters(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    raw = document.get("parameters")
    if not isinstance(raw, Mapping):
        return {}
    return {k: v for k, v in raw.items() if isinstance(v, Mapping)}


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(_leaves(item, f"{path}.{key}" if path else str(key)))
        return found
    return {path or "value": value}


def _print_posts_changed(
    a: Mapping[str, Any], b: Mapping[str, Any], posts: Mapping[str, Any]
) -> None:
    """Posts added and dropped from A to B, and where B's mapping sends each dropped one."""
    if not (posts["added"] or posts["dropped"] or posts["mapping"]):
        return
    labels = {p["code"]: p["label_zh"] for p in [*posts_listed(a), *posts_listed(b)]}

    def named(code: str | None) -> str:
        return escape(f"{code} {labels.get(code, '')}".strip()) if code else "—"

    table = Table("岗位变化 post change", "岗位 post", "转入 maps to")
    for code in posts["added"]:
        table.add_row("新增 added", named(code), "")
    for code, target in posts["dropped"].items():
        table.add_row("取消 dropped", named(code), named(target) if target else "未映射 unmapped")
    for code, target in posts["mapping"].items():
        if code not in posts["dropped"]:
            table.add_row("映射 mapping", named(code), named(target))
    Console(highlight=False).print(table)


def _print_posts(out: Console, document: Mapping[str, Any]) -> None:
    table = Table("岗位 code", "中文", "English", "等级 grades")
    for post in posts_listed(document):
        low, high = post["grade_min"], post["grade_max"]
        table.add_row(
            escape(post["code"]),
            escape(post["label_zh"]),
            escape(post["label_en"]),
            f"{low}–{high}" if low is not None else "-",
        )
    out.print(table)
    mapping = document.get("post_mapping")
    if isinstance(mapping, Mapping) and mapping:
        pairs = "; ".join(f"{k} → {v}" for k, v in mapping.items())
        out.print(f"岗位映射 post mapping: {escape(pairs)}")


def _print_document(document: Mapping[str, Any]) -> None:
    out = Console(highlight=False)
    out.print(
        f"[bold]{escape(str(document.get('title_zh') or ''))}[/] "
        f"{escape(str(document.get('title') or ''))} ({escape(str(document.get('id')))})"
    )
    _print_posts(out, document)
    table = Table("参数 parameter", "取值 value", "来源 source")
    for name, entry in _parameters(document).items():
        table.add_row(
            f"{_label(name)}\n{name}",
            escape(_compact(entry.get("value"))),
            _source(entry.get("source")),
        )
    out.print(table)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of {text!r} is not a date (YYYY-MM-DD)") from None
