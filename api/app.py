"""The HTTP application: ``create_app`` builds it; nothing is opened at import time.

Run it with ``uvicorn api.app:create_app --factory`` (settings from ``LEDGER_*``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api import docs_page, problems
from api.auth_limits import FailedAuthentications
from api.deps import IF_MATCH, refuse_unknown_query
from api.middleware import BodyLimit, RequestContext
from api.routers import health, payroll, reports, rules, units, workers
from api.routers import policies as policy_routes
from api.routers import simulations as simulation_routes
from api.routers import tokens as token_routes
from ledger.application import Ledger
from ledger.runtime import open_ledger
from ledger.settings import Settings, get_settings
from projections.live import LiveReadModels

logger = logging.getLogger("api")

PREFIX = "/api/v1"
MAX_BODY_BYTES = 1024 * 1024  # a write is a few hundred bytes; this only stops abuse


# Ids whose derivation below reads poorly: the simulations router is tagged "policy".
_OPERATION_IDS = {"run_simulation": "simulations_run"}


def operation_id(route: APIRoute) -> str:
    """``<resource>_<action>``: the route's tag, then its function's name without the resource.

    ``approve_quota`` tagged ``units`` is ``units_approve_quota``, ``list_units`` is
    ``units_list``, ``payroll_report`` tagged ``reports`` is ``reports_payroll``. Generated
    clients name their methods after these, so they are listed in docs/api.md and a test
    holds the two together: a renamed endpoint function that changes an id fails it.
    """
    if route.name in _OPERATION_IDS:
        return _OPERATION_IDS[route.name]
    if not route.include_in_schema:  # the console's pages and /docs: in no document
        return f"page_{route.name}_{'_'.join(route.methods or ())}".lower()
    if not route.tags:
        raise ValueError(f"{route.path}: every route is tagged with its resource")
    resource = str(route.tags[0])
    singular = resource[:-3] + "y" if resource.endswith("ies") else resource.removesuffix("s")
    action = [word for word in route.name.split("_") if word not in {resource, singular}]
    return "_".join([resource, *action])


def _state_headers(document: dict[str, Any]) -> None:
    """Headers as the server reads them, which FastAPI's document does not say.

    A header is sent or not, never null: FastAPI writes an optional one as "a string or
    null". And If-Match is dropped from the operations that refuse it (all but changes
    to one worker or unit, see ``parse_if_match``): every write shares the dependency
    that reads it.
    """
    for path, operations in document["paths"].items():
        on_entity = "{worker_id}" in path or "{unit_id}" in path
        for operation in operations.values():
            kept = []
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "header":
                    kept.append(parameter)
                    continue
                if parameter["name"] == IF_MATCH and not on_entity:
                    continue
                schema = parameter["schema"]
                alternatives = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
                if alternatives:
                    (only,) = alternatives
                    schema.update(only)
                kept.append(parameter)
            if kept:
                operation["parameters"] = kept
            else:
                operation.pop("parameters", None)


def _version() -> str:
    try:
        return version("community-worker-ledger")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0+unknown"


async def _open_read_models(
    app: FastAPI, ledger: Ledger, settings: Settings | None
) -> LiveReadModels | None:
    if settings is None:
        return None

    def build() -> LiveReadModels:
        live = LiveReadModels(
            ledger,
            settings.database_url,
            in_process=settings.projector == "in-process",
            wait_seconds=settings.read_wait_seconds,
        )
        live.start()
        return live

    app.state.read_models = await run_in_threadpool(build)
    return app.state.read_models  # type: ignore[no-any-return]


def create_app(settings: Settings | None = None, ledger: Ledger | None = None) -> FastAPI:
    """The app over ``ledger``, or over one opened from ``settings`` for the app's lifetime.

    A ledger passed in belongs to the caller, who closes it; one opened here is
    bootstrapped if its store is empty and closed on shutdown.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if ledger is not None:
            # The caller's ledger; read models only where its settings say which store.
            read_models = await _open_read_models(app, ledger, settings)
            try:
                yield
            finally:
                if read_models:
                    await run_in_threadpool(read_models.close)
            return
        chosen = settings or get_settings()
        opened, token = await run_in_threadpool(open_ledger, chosen)
        app.state.ledger = opened
        app.state.first_admin_token = token
        if token:
            # Shown once, like every token secret: the only way in to a new ledger.
            logger.warning("new ledger bootstrapped; the first admin token is %s", token)
        read_models = await _open_read_models(app, opened, chosen)
        try:
            yield
        finally:
            if read_models:
                await run_in_threadpool(read_models.close)
            await run_in_threadpool(opened.close)

    app = FastAPI(
        title="Community worker ledger",
        summary="社区工作者 quota (员额制) and four-posts-eighteen-grades (四岗十八级) ledger",
        version=_version(),
        lifespan=lifespan,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # served from the app's own assets: api/docs_page.py
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    publish = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _state_headers(publish())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    app.state.ledger = ledger
    app.state.first_admin_token = None
    app.state.read_models = None
    app.state.readiness_lock = threading.Lock()
    limits = settings or get_settings()
    app.state.auth_failures = FailedAuthentications(
        limits.auth_failure_limit, limits.auth_failure_window_seconds
    )
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(RequestContext)  # added last, so outermost: every answer has the id
    problems.install(app)

    api = APIRouter(prefix=PREFIX, dependencies=[Depends(refuse_unknown_query)])
    for router in (
        health.router,
        units.router,
        workers.router,
        reports.router,
        rules.router,
        payroll.router,
        token_routes.router,
        policy_routes.router,
        simulation_routes.router,
    ):
        api.include_router(router)
    app.include_router(api)
    docs_page.install(app, f"{PREFIX}/openapi.json")
    return app
