"""Operation ids: readable, unique, and the same in docs/api.md as in the OpenAPI document."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from api.app import PREFIX, create_app

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
READABLE = re.compile(r"^[a-z]+(_[a-z]+)+$")
ROW = re.compile(r"^\| `([^`]+)` \| ([A-Z]+) \| `(/[^`]*)` \|$")


@pytest.fixture(scope="module")
def served() -> list[tuple[str, str, str]]:
    """(operation id, method, path under /api/v1) of every operation the app publishes."""
    document = create_app().openapi()
    return [
        (operation["operationId"], method.upper(), path.removeprefix(PREFIX))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def documented() -> list[tuple[str, str, str]]:
    text = API_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Operation ids\n", 1)[1].split("\n## ", 1)[0]
    return [
        (found[1], found[2], found[3])
        for line in section.splitlines()
        if (found := ROW.match(line.strip()))
    ]


def test_every_operation_id_is_resource_underscore_action(
    served: list[tuple[str, str, str]],
) -> None:
    unreadable = [operation_id for operation_id, _, _ in served if not READABLE.match(operation_id)]
    assert not unreadable, f"operation ids not <resource>_<action> in lower case: {unreadable}"


def test_operation_ids_are_unique(served: list[tuple[str, str, str]]) -> None:
    counts = Counter(operation_id for operation_id, _, _ in served)
    assert not [i for i, n in counts.items() if n > 1], counts


def test_docs_list_every_operation_id_with_its_method_and_path(
    served: list[tuple[str, str, str]],
) -> None:
    listed = documented()
    assert len(listed) == len(set(listed)), "a row repeats in docs/api.md#operation-ids"
    missing = sorted(set(served) - set(listed))
    stale = sorted(set(listed) - set(served))
    assert not missing and not stale, (
        f"docs/api.md#operation-ids disagrees with the OpenAPI document: "
        f"served but not listed {missing}; listed but not served {stale}"
    )
