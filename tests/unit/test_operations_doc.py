"""docs/operations.md keeps up with the code an operator depends on."""

from __future__ import annotations

from pathlib import Path

from ledger.settings import Settings

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_every_setting_is_in_the_operations_configuration_table() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    missing = [
        f"LEDGER_{name.upper()}"
        for name in Settings.model_fields
        if f"| `LEDGER_{name.upper()}` |" not in text
    ]
    assert not missing, f"document these in docs/operations.md#configuration: {missing}"
