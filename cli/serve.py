"""``ledger serve``: the HTTP API, in this process; on an empty ledger, its first admin token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import CliError, load_settings, open_for_serving, redact, stderr, user_errors
from ledger.settings import Settings

if TYPE_CHECKING:
    from ledger.application import Ledger


def run_server(settings: Settings, ledger: Ledger) -> None:
    """Serve the HTTP API with uvicorn, in this process, on ``ledger``."""
    import uvicorn

    try:
        from console.app import create_app
    except ImportError as error:
        raise CliError(f"the HTTP API and console cannot be loaded: {error}") from error
    uvicorn.run(
        create_app(settings=settings, ledger=ledger),
        host=settings.host,
        port=settings.port,
        workers=1,
        log_config=_logs_to_stderr(),
    )


def _logs_to_stderr() -> dict[str, object]:
    """Uvicorn's logging, all on stderr: standard output carries only tokens,
    so ``TOKEN=$(ledger serve | head -1)`` and the demo script's output stay usable."""
    from copy import deepcopy

    from uvicorn.config import LOGGING_CONFIG

    config = deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    return config


def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on [default: LEDGER_HOST or 127.0.0.1]")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port to listen on [default: LEDGER_PORT or 8000]"),
    ] = None,
) -> None:
    """Serve the HTTP API; on an empty ledger, print its first admin token first."""
    settings = load_settings()
    updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = settings.model_copy(update=updates)
    with user_errors(settings):
        ledger = open_for_serving(settings)
        stderr().print(
            f"Serving the ledger at {redact(settings.database_url)} on "
            f"http://{settings.host}:{settings.port} (API docs at /docs)",
            soft_wrap=True,
        )
        try:
            run_server(settings, ledger)
        finally:
            ledger.close()
