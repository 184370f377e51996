"""The replay kernel: the modules a what-if spends its time in, which a build may compile
with mypyc (``LEDGER_COMPILE_KERNEL=1``, ADR 0017). Pure Python is the default and the
reference; the compiled modules are the same source, held to the same tests.

``MODULES`` is read by ``setup.py`` without importing anything: keep it a plain tuple.
"""

from __future__ import annotations

import importlib

MODULES = (
    "domain/rules.py",
    "domain/timeline.py",
    "domain/pay.py",
    "projections/simulation/careers.py",
    "projections/simulation/comparison.py",
    "projections/simulation/judging.py",
    "projections/simulation/pricing.py",
)


def compiled() -> dict[str, bool]:
    """Each kernel module's name, and whether this process runs it compiled (an extension
    module, found before its ``.py`` source beside it)."""
    found: dict[str, bool] = {}
    for path in MODULES:
        name = path.removesuffix(".py").replace("/", ".")
        module = importlib.import_module(name)
        found[name] = not str(module.__file__).endswith(".py")
    return found
