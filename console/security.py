"""Headers every console answer carries: a strict content-security policy (no inline
script or style, nothing from elsewhere), no framing, no sniffing, and personnel pages
kept out of caches.

``/docs`` (Swagger UI) gets the same policy except inline styles, which Swagger UI
sets on its elements; its scripts are files the app serves.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    """Pure ASGI (no thread hop, no body buffering): adds headers to HTML and static
    answers outside the JSON API, which keeps its own headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        policy = DOCS_CSP if path == "/docs" else CSP
        static = path.startswith(("/static/", "/docs/assets/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", policy.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not static:  # a person's record must not linger in a shared cache
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
