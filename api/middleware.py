"""The request id on every answer, the last resort for failures, and the body size limit.

A pure ASGI middleware rather than a dependency, so that the ``X-Request-ID``
header is also on error answers, including the 500 produced here: the id is
what an operator searches the log for.
"""

from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import http_error, internal_error

logger = logging.getLogger("api")

HEADER = "X-Request-ID"
# The id is stored on every event the request records, so only short, plain ones are kept.
ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:/+=@-]{1,128}$")


def request_id_from(headers: Headers) -> str:
    incoming = headers.get(HEADER, "")
    return incoming if ACCEPTABLE.match(incoming) else uuid.uuid4().hex


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Handled here, not by Starlette's ServerErrorMiddleware, so the answer
            # is a problem document that carries the request id like every other.
            logger.exception("request %s failed unexpectedly", request_id)
            if started:
                raise
            await internal_error(Request(scope))(scope, receive, send_with_id)


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with a 413 problem.

    Starlette's own limit answers in plain text whenever Content-Length is
    too big, bypassing the problem handlers; this one raises an HTTPException
    that the handlers turn into a problem document like every other refusal.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await http_error(Request(scope), self._too_large())(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:  # a chunked body that declared no length
                    raise self._too_large()
            return message

        await self.app(scope, limited_receive, send)

    def _too_large(self) -> HTTPException:
        return HTTPException(413, f"the request body is larger than {self.max_bytes} bytes")
