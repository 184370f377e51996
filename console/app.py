"""``create_app``: the HTTP API under ``/api/v1`` and the console at ``/``, one process.

``ledger serve`` runs this; tests of the API alone keep using ``api.app.create_app``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.app import create_app as create_api
from console import security, web
from console.routes import (
    account,
    audit,
    home,
    language,
    payroll,
    person,
    policies,
    rules,
    search,
    units,
    what_if,
)
from ledger.application import Ledger
from ledger.settings import Settings, get_settings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, ledger: Ledger | None = None) -> FastAPI:
    """The API app (see ``api.app.create_app``) with the console installed on it."""
    app = create_api(settings=settings, ledger=ledger)
    app.state.settings = settings or get_settings()
    install(app)
    return app


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        home.router,
        language.router,
        account.router,
        units.router,
        search.router,
        person.router,
        rules.router,
        payroll.router,
        policies.router,
        what_if.router,
        audit.router,
    ):
        app.include_router(router)
    web.install_error_pages(app)
    app.add_middleware(security.SecurityHeaders)
