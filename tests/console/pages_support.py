"""For the units and person page tests: the console over a fresh SQLite ledger, acting
as a chosen person, with the API beside it to check the figures against."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from fastapi.testclient import TestClient

from console.app import create_app
from console.session import current_person
from domain.access import Actor
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.settings import Settings

ADMIN = Actor("管理员", Role.ADMIN)


@dataclass
class Console:
    client: TestClient

    @property
    def ledger(self) -> Ledger:
        found = self.client.app.state.ledger  # type: ignore[attr-defined]
        assert isinstance(found, Ledger)
        return found

    def as_(self, actor: Actor) -> Console:
        self.client.app.dependency_overrides[current_person] = lambda: actor  # type: ignore[attr-defined]
        return self

    def page(self, path: str, status: int = 200, **params: Any) -> str:
        response = self.client.get(path, params=params)
        assert response.status_code == status, response.text[:2000]
        assert "text/html" in response.headers["content-type"]
        return response.text

    def api(
        self, path: str, role: Role = Role.ADMIN, unit: UUID | None = None, **params: Any
    ) -> Any:
        """The API's answer for the same question, through a token of ``role``."""
        secret = self.ledger.create_token(f"api-{role.value}-{unit}", role, unit)
        response: httpx.Response = self.client.get(
            "/api/v1" + path, params=params, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def console_on(tmp_path: Path) -> Iterator[Console]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/l.db"))
    with TestClient(app) as client:
        yield Console(client).as_(ADMIN)


def text_of(html: str) -> str:
    """The page's words without its tags, spaces squeezed: what a person reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def chart(html: str, chart_id: str) -> Any:
    """The ECharts option of the chart ``chart_id``, as console.js reads it."""
    found = re.search(rf"data-chart=\"{chart_id}\" data-option='([^']*)'", html)
    assert found, f"no chart {chart_id}"
    return json.loads(unescape(found.group(1)))


def row_cells(html: str, attribute: str, unit_id: object) -> tuple[str, list[str]]:
    """The class and the right-aligned figures of the table row marked ``attribute``."""
    found = re.search(rf'<tr class="([^"]*)" {attribute}="{unit_id}">(.*?)</tr>', html, re.S)
    assert found, f"no row {attribute}={unit_id}"
    cells = re.findall(r'<td class="num">\s*(.*?)\s*</td>', found.group(2), re.S)
    return found.group(1), cells
