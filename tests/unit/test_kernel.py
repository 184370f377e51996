"""The replay kernel runs compiled only where a build compiled it (ADR 0017)."""

from __future__ import annotations

import os

from projections.kernel import MODULES, compiled


def test_the_kernel_runs_compiled_exactly_where_a_build_compiled_it() -> None:
    # The agreement tests run again on a compiled copy (tests/integration/
    # test_compiled_kernel.py), which sets LEDGER_EXPECT_COMPILED. Anywhere else every
    # module must be its source: a stale extension module beside a .py would be imported
    # instead, and an edit to the rules would silently not run.
    expected = os.environ.get("LEDGER_EXPECT_COMPILED") == "1"
    found = compiled()
    assert len(found) == len(MODULES)
    assert found == dict.fromkeys(found, expected)
