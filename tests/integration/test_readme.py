"""The README's examples, run against the demo district, so no figure in it can go stale.

The convention (stated in the README too): a ```bash block holding one ``curl`` command
to ``$LEDGER``, followed directly by a ```json block, is an example this test sends to
the API over the demo district (loaded once per session, as ``ledger demo`` loads it)
and whose answer must contain that JSON: every key the README shows, with the value it
shows (objects may hold more keys than shown; a string shaped like a UUID stands for any
id, since ids differ from one load to the next). The examples run in the README's order,
with ``$DISTRICT``, ``$STREET`` and ``$UNIT`` found as the README finds them.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.vocabulary import Role
from ledger.settings import Settings
from tests.integration.demo_district import demo_copy

README = Path(__file__).parents[2] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
# How the README finds the units its examples use (kept in step with the code below).
AUTH = 'curl -s -H "Authorization: Bearer $TOKEN"'
WALK = (
    f'DISTRICT=$({AUTH} "$LEDGER/units" | first 0)',
    f'STREET=$({AUTH} "$LEDGER/units?parent_id=$DISTRICT" | first 1)',
    f'export UNIT=$({AUTH} "$LEDGER/units?parent_id=$STREET" | first 0)',
)


@dataclass(frozen=True)
class Example:
    line: int  # where the curl command starts in the README
    command: str
    answer: Any


def examples(text: str) -> list[Example]:
    blocks = list(FENCE.finditer(text))
    found = []
    for block, after in itertools.pairwise(blocks):
        between = text[block.end() : after.start()]
        if block.group(1) != "bash" or after.group(1) != "json" or between.strip():
            continue
        command = block.group(2).replace("\\\n", " ").strip()
        assert command.startswith("curl ") and command.count("curl ") == 1, (
            f"README line {text.count(chr(10), 0, block.start()) + 2}: a ```bash block before "
            "a ```json answer must hold one curl command"
        )
        found.append(
            Example(text.count("\n", 0, block.start()) + 2, command, json.loads(after.group(2)))
        )
    return found


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None


def parse_curl(command: str, variables: dict[str, str]) -> Request:
    def filled(value: str) -> str:
        return re.sub(r"\$(\w+)", lambda m: variables[m.group(1)], value)

    words = iter(shlex.split(command)[1:])
    method, url, headers, body = "GET", "", {}, None
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(":")
            headers[name.strip()] = filled(value.strip())
        elif word == "-d":
            body = filled(next(words))
        elif word == "-o":
            next(words)
        elif word.startswith("-"):
            continue
        else:
            url = filled(word)
    assert url.startswith("/api/v1/"), f"an example calls $LEDGER, not {url}"
    return Request(method, url, headers, body)


def is_uuid(value: object) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def contained(shown: Any, answered: Any, where: str = "") -> list[str]:
    """Where the README's ``shown`` value differs from the ``answered`` one."""
    if isinstance(shown, dict):
        if not isinstance(answered, dict):
            return [f"{where or '.'}: shown an object, answered {answered!r}"]
        return [
            difference
            for key, value in shown.items()
            for difference in (
                contained(value, answered[key], f"{where}.{key}")
                if key in answered
                else [f"{where}.{key}: not in the answer"]
            )
        ]
    if isinstance(shown, list):
        if not isinstance(answered, list) or len(shown) != len(answered):
            return [f"{where}: shown {shown!r}, answered {answered!r}"]
        return [d for i, v in enumerate(shown) for d in contained(v, answered[i], f"{where}[{i}]")]
    if isinstance(shown, str) and is_uuid(shown):
        return [] if is_uuid(answered) else [f"{where}: shown an id, answered {answered!r}"]
    return [] if shown == answered else [f"{where}: shown {shown!r}, answered {answered!r}"]


@dataclass
class Demo:
    client: TestClient
    token: str

    def get(self, path: str) -> Any:
        answer = self.client.get(
            "/api/v1" + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("readme")
    database = demo_copy(tmp_path_factory, folder)
    app = create_app(Settings(database_url=f"sqlite:///{database}"))
    with TestClient(app) as client:
        yield Demo(client, app.state.ledger.create_token("readme", Role.ADMIN))


def test_the_readme_walks_down_the_demo_district_as_this_test_does() -> None:
    text = README.read_text(encoding="utf-8")
    for line in WALK:
        assert line in text, f"the README no longer finds its units with: {line}"


def test_every_example_answer_in_the_readme_is_what_the_demo_answers(demo: Demo) -> None:
    text = README.read_text(encoding="utf-8")
    district = demo.get("/units")["items"][0]["unit_id"]
    street = demo.get(f"/units?parent_id={district}")["items"][1]["unit_id"]
    unit = demo.get(f"/units?parent_id={street}")["items"][0]
    variables = {
        "LEDGER": "/api/v1",
        "TOKEN": demo.token,
        "DISTRICT": district,
        "STREET": street,
        "UNIT": unit["unit_id"],
    }
    assert f"`$UNIT` is its first community, {unit['name']}" in text
    found = examples(text)
    assert len(found) >= 3, "the README's checked examples went missing"

    differences = []
    for example in found:
        request = parse_curl(example.command, variables)
        answer = demo.client.request(
            request.method,
            request.path,
            headers=request.headers,
            content=request.body.encode() if request.body else None,
        )
        assert answer.status_code < 300, (example.line, answer.text)
        differences += [
            f"README line {example.line}: {d}" for d in contained(example.answer, answer.json())
        ]
    assert not differences, "\n".join(differences)
