"""The demo district (``ledger demo``'s 包河区, about 3,000 workers), loaded once per test
session into an SQLite file and handed out as copies.

Loading takes half a minute, so the first caller in a session loads it into the
session's temporary folder and every caller (the README's examples, the browser
journeys, each with its own fixture) gets a fresh copy of that file to read or write.
The demo is deterministic: same seed, same facts, same figures.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from ledger.runtime import open_ledger
from ledger.settings import Settings
from seed.demo import load_demo

_loading = threading.Lock()


def _loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.getbasetemp() / "demo-district"
    done = home / "loaded"
    with _loading:
        if not done.exists():
            home.mkdir(exist_ok=True)
            database = home / "ledger.db"
            for stale in home.glob("ledger.db*"):
                stale.unlink()
            ledger, _ = open_ledger(Settings(database_url=f"sqlite:///{database}"))
            try:
                load_demo(ledger)  # the defaults of `ledger demo`
            finally:
                ledger.close()
            done.touch()
    return home / "ledger.db"


def demo_copy(tmp_path_factory: pytest.TempPathFactory, folder: Path) -> Path:
    """A fresh copy of the loaded demo district at ``folder / "ledger.db"``."""
    source = _loaded(tmp_path_factory)
    for part in source.parent.glob("ledger.db*"):
        shutil.copyfile(part, folder / part.name)
    return folder / "ledger.db"
