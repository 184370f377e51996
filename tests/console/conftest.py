"""Console page fixtures: the whole app (API and console) on a SQLite file, an admin API
client to seed it through the use cases and to compare figures with, and the person
the pages see (``current_person`` overridden; sign-in is the auth helper's)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from console.app import create_app
from console.session import current_person
from domain.access import Actor
from domain.vocabulary import Role
from ledger.settings import Settings
from tests.e2e.conftest import Api, Tree, make_tree


@dataclass
class Console:
    """The browser's side (``client``) and the API's (``api``, an admin token)."""

    client: TestClient
    api: Api

    def as_person(self, role: Role, unit_id: str | None = None, name: str = "王科员") -> None:
        person = Actor(name, role, UUID(unit_id) if unit_id else None)
        self.client.app.dependency_overrides[current_person] = lambda: person  # type: ignore[attr-defined]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/l.db", policy="baohe-2020"))
    with TestClient(app) as client:
        found = Console(client, Api(client, app.state.first_admin_token))
        found.as_person(Role.ADMIN, name="管理员")
        yield found


@pytest.fixture
def tree(console: Console) -> Tree:
    return make_tree(console.api)


@pytest.fixture
def other_street(console: Console, tree: Tree) -> str:
    """A second street office in the same district, with its own quota."""
    street: str = console.api.created(
        "/units",
        {"name": "骆岗街道", "kind": "street_office", "parent_id": tree.district, "class": 1},
    )["unit_id"]
    console.api.created(
        f"/units/{street}/quota-approvals",
        {"quota": 10, "effective_date": "2020-01-01", "document_ref": "包编〔2020〕2号"},
    )
    return street
