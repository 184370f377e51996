"""``ledger verify`` (the hash chains and the anchor) and ``ledger encryption-key``.

``verify`` prints the anchor alone on standard output (``ANCHOR=$(ledger verify)``)
or, with ``--json``, the whole report; progress, problems and the summary go to
standard error. Exit status 0: intact; 1: a record was altered, inserted or
deleted (or the store cannot be read); 2: a malformed command line.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cli.common import load_settings, user_errors
from cli.progress import counting
from domain.errors import InvalidInput
from ledger.adapters.encryption import new_key
from ledger.adapters.integrity import KIND_LABELS, Anchor, Problem, Report, verify
from ledger.application import Ledger
from ledger.runtime import build_ledger


def _valid_anchor(value: str | None) -> str | None:
    """Refuse a malformed anchor as a usage error (exit 2) naming the option."""
    if value is not None:
        try:
            Anchor.parse(value)
        except InvalidInput as error:
            raise typer.BadParameter(error.detail) from None
    return value


def verify_command(
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="ANCHOR",
            callback=_valid_anchor,
            help="An anchor printed by an earlier run (NOTIFICATION:COUNT:SHA256): also prove "
            "that no record up to that notification was altered, inserted or deleted since.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check that no recorded fact was altered, inserted or deleted (账本防篡改校验).

    Walks every stored event in recorded order and recomputes each aggregate's hash
    chain. Prints the ledger's anchor: keep it outside the database and give it back
    with --against later.
    """
    anchor = Anchor.parse(against) if against else None
    settings = load_settings()
    err = Console(stderr=True, highlight=False)
    with user_errors(settings):
        ledger = build_ledger(settings, check=False)
        try:
            total = ledger.recorder.max_notification_id() or 0
            with counting(err, "verifying", "events", total, transient=True) as bar:
                report = verify(
                    ledger,
                    against=anchor,
                    progress=bar.reach,
                )
            elapsed = bar.elapsed
            recorded = _record(ledger, report)
        finally:
            ledger.close()
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False) + "\n")
    elif report.intact and report.anchor is not None:
        # Only an intact log's anchor: one captured from a damaged log would vouch for it.
        sys.stdout.write(f"{report.anchor}\n")
    sys.stdout.flush()
    _print_summary(err, report, elapsed)
    if recorded is not None:
        err.print(f"[yellow]The run could not be recorded in the ledger:[/] {escape(recorded)}")
    if not report.intact:
        raise typer.Exit(1)


def _record(ledger: Ledger, report: Report) -> str | None:
    """Record the run as a fact (who ran it, what it found: the audit page shows it);
    answers why it could not be, or None. Never changes the output or the exit status:
    the check is what the operator asked for, the record comes after it."""
    first = report.problems[0] if report.problems else None
    try:
        ledger.record_verification(
            ran_by=_operator(),
            intact=report.intact,
            events=report.events,
            aggregates=report.aggregates,
            last_notification_id=report.last_notification_id,
            anchor=str(report.anchor) if report.anchor else None,
            against=str(report.against) if report.against else None,
            problem_count=report.problem_count,
            first_problem=_problem_text(first) if first else None,
        )
    except Exception as error:  # a damaged or read-only store: the check still stands
        return f"{type(error).__name__}: {error}"
    return None


def _problem_text(problem: Problem) -> str:
    where = f" (notification {problem.notification_id})" if problem.notification_id else ""
    return f"{problem.kind}{where}: {problem.detail}"


def _operator() -> str:
    """Who ran the command: the operating-system account, as the terminal knows it."""
    try:
        return f"{getpass.getuser()} (ledger verify)"
    except (KeyError, OSError):
        return "ledger verify"


def _print_summary(err: Console, report: Report, elapsed: float) -> None:
    if report.intact:
        against = (
            f"; unchanged since anchor {report.against.position}:{report.against.count}"
            if report.against
            else ""
        )
        pre_chain = (
            f" ({report.pre_chain_events:,} recorded before the chain, not covered)"
            if report.pre_chain_events
            else ""
        )
        err.print(
            f"[bold green]intact[/] 完好: {report.events:,} events in {report.aggregates:,} "
            f"aggregates, every chain verified{pre_chain}{against} ({elapsed:.1f} s). "
            "The line on standard output is the anchor: keep it outside the database.",
            soft_wrap=True,
        )
        return
    err.print(
        f"[bold red]NOT INTACT[/] 校验失败: {report.problem_count:,} problem(s) in "
        f"{report.events:,} events, in recorded order:",
        soft_wrap=True,
    )
    for problem in report.problems[:20]:
        where = ", ".join(
            f"{name} {value}"
            for name, value in (
                ("aggregate", problem.aggregate_id),
                ("version", problem.version),
                ("notification", problem.notification_id),
                ("event", problem.topic),
            )
            if value is not None
        )
        err.print(
            f"  [bold]{problem.kind}[/] {KIND_LABELS[problem.kind]}: {escape(where)}: "
            f"{escape(problem.detail)}",
            soft_wrap=True,
        )
    if report.problem_count > 20:
        err.print(f"  ... and {report.problem_count - 20:,} more (--json lists up to 100)")
    if report.notification_gaps:
        gaps = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in report.notification_gaps)
        err.print(
            f"Notification ids absent from the log: {gaps} (deleted records; on PostgreSQL "
            "also writes that were rolled back).",
            soft_wrap=True,
        )


def encryption_key() -> None:
    """Print a fresh key for LEDGER_ENCRYPTION_KEY (AES-256), alone on standard output.

    Give it to every process of a new ledger and keep a copy safe: events written
    with it cannot be read without it.
    """
    sys.stdout.write(new_key() + "\n")
    sys.stdout.flush()
