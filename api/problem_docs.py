"""How the problem answers are declared in the OpenAPI document: the shared ones on
every operation (``declare_common_problems``), and each router's own (``responses``).
The answers themselves are made in ``api.problems``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

PROBLEM_JSON = "application/problem+json"

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
HTTP_METHODS = WRITE_METHODS | {"get", "head", "options", "trace"}


def common_statuses(method: str, operation: Mapping[str, Any]) -> list[int]:
    """The problems any request to ``operation`` can meet, whatever its router declares.

    500 is the last resort of every operation; a token can be missing, wrong,
    too weak or tried too often (429), and checking it reads the store (503);
    any parameter or body can be invalid (422) and any body too large (413); an
    id in the path can be unknown (404); a write can lose a race (409).
    """
    statuses = [500]
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        statuses += [401, 403, 429, 503]
        if method in WRITE_METHODS:
            statuses.append(409)
    if parameters or "requestBody" in operation:
        statuses.append(422)
    if "requestBody" in operation:
        statuses.append(413)
    if any(p.get("in") == "path" for p in parameters):
        statuses.append(404)
    return statuses


def declare_common_problems(app: FastAPI) -> None:
    """Declare the shared problem answers on every operation of the OpenAPI document, in
    this one place, so a router lists only what is particular to it and an endpoint
    added later is documented (and fuzzed against its document) like the rest."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for path_item in document.get("paths", {}).values():
                for method, operation in path_item.items():
                    if method not in HTTP_METHODS:
                        continue  # a path item's shared parameters or summary
                    declared = operation.setdefault("responses", {})
                    for status in common_statuses(method, operation):
                        declared.setdefault(str(status), _PROBLEM_DOC)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems an endpoint may answer. Whatever may answer 401
    may also answer 429: failed authentications are rate-limited (api/auth_limits.py)."""
    listed = (*statuses, 429) if 401 in statuses and 429 not in statuses else statuses
    return {status: _PROBLEM_DOC for status in listed}


_PROBLEM_DOC: dict[str, Any] = {
    "description": "A problem: see `code`",
    "content": {
        PROBLEM_JSON: {
            "schema": {
                "type": "object",
                "required": ["type", "title", "status", "detail", "code"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                    "field": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                    "instance": {"type": "string"},
                    "request_id": {"type": "string"},
                },
            }
        }
    },
}
