"""``/docs``: Swagger UI from assets the app ships (``api/static/swagger-ui``).

FastAPI's own page loads Swagger UI from a public CDN, which leaves it blank on a
government intranet. This page and its scripts come from the app itself; the page
has no inline script (the initializer is a file), so a strict content-security
policy holds. The vendored version and licence are recorded in ADR 0014.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "swagger-ui"
ASSETS_URL = "/docs/assets"

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title} · API</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/docs-init.js"></script>
</body>
</html>
"""


def install(app: FastAPI, openapi_url: str) -> None:
    """Serve ``/docs`` and its assets; call with the app's ``docs_url=None``."""
    router = APIRouter(include_in_schema=False)
    page = _PAGE.format(title=app.title, assets=ASSETS_URL, openapi=openapi_url)

    @router.get("/docs", response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
