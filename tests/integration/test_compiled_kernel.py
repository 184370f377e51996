"""The compiled replay kernel (ADR 0017) is held to the pure one's tests: the kernel's
unit tests and the agreement tests (every shipped pack, generated and hypothesis-made
histories, every store), run on a copy of this checkout compiled by scripts/compile-kernel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The tests that exercise the kernel's every module; the fork-server case pickles a
# compiled comparison to its processes.
HELD_TO = (
    "tests/unit/test_kernel.py",
    "tests/unit/test_rules.py",
    "tests/unit/test_clock_states.py",
    "tests/integration/test_fast_paths_agreement.py",
    "tests/integration/test_rules_agreement.py",
    "tests/integration/test_simulation.py",
    "tests/integration/test_simulation_career_facts.py",
)


def _can_compile() -> bool:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return shutil.which(compiler) is not None and headers.exists()


def _outside_pytest() -> dict[str, str]:
    """This environment without what this pytest (and xdist) set for themselves."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}


@pytest.mark.timeout(1200)
def test_the_compiled_kernel_passes_the_pure_kernels_tests(tmp_path: Path) -> None:
    if not _can_compile():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs a C compiler and the Python headers to compile the kernel")
        pytest.skip("no C compiler or Python headers here")
    copy = tmp_path / "compiled"
    built = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compile-kernel"), str(copy)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *HELD_TO],
        cwd=copy,
        env={**_outside_pytest(), "LEDGER_EXPECT_COMPILED": "1", "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-2000:]
    assert " passed" in ran.stdout.splitlines()[-1]
