"""Liveness and readiness, without a token, for load balancers and orchestrators."""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import problems
from api.deps import LedgerDep
from projections.projector import Status

router = APIRouter(tags=["operations"])

# A probe must answer quickly; the store's own retries can take a minute and more.
READY_TIMEOUT_SECONDS = 5.0
# Reports wait for fresh read models; a projector this far behind is not serving.
MAX_LAG_SECONDS = 30.0


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The store answers",
    response_model=None,
    responses={200: {"description": "Ready"}, **problems.responses(503)},
)
async def readyz(request: Request, ledger: LedgerDep) -> Response | dict[str, Any]:
    # One check at a time per app: a check stuck on a dead store keeps its
    # thread, so later probes answer "not ready" instead of piling up threads.
    lock: threading.Lock = request.app.state.readiness_lock
    if not lock.acquire(blocking=False):
        return _not_ready(request, "the previous readiness check has not finished")

    read_models = request.app.state.read_models

    def check() -> tuple[bool, Status | None]:
        try:
            # One cheap read; store errors become 503 problems.
            return ledger.is_empty(), read_models.projector.status() if read_models else None
        finally:
            lock.release()

    try:
        with anyio.fail_after(READY_TIMEOUT_SECONDS):
            empty, lag = await anyio.to_thread.run_sync(check, abandon_on_cancel=True)
    except TimeoutError:
        return _not_ready(request, f"the store did not answer within {READY_TIMEOUT_SECONDS:g}s")
    if empty:
        return _not_ready(request, "the store answers but the ledger was never bootstrapped")
    answer: dict[str, Any] = {"status": "ready", "store": "ok"}
    if lag is not None:
        answer["projections"] = asdict(lag)
        if lag.lag_seconds > MAX_LAG_SECONDS:
            return problems.problem(
                request,
                503,
                "read_models_behind",
                "The reports are behind the recorded facts",
                f"the read models are {lag.lag_seconds:.0f}s behind the events",
                headers={"Retry-After": problems.RETRY_AFTER_SECONDS},
            )
    return answer


def _not_ready(request: Request, detail: str) -> Response:
    return problems.problem(
        request,
        503,
        "store_unavailable",
        "The ledger's store is not ready",
        detail,
        headers={"Retry-After": problems.RETRY_AFTER_SECONDS},
    )
