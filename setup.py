"""The build, beside pyproject.toml (which holds everything else): pure Python unless
``LEDGER_COMPILE_KERNEL=1``, which compiles the replay kernel with mypyc (ADR 0017).

mypyc type-checks what it compiles, so it needs the project's dependencies and mypy where
it builds, not pip's isolated build environment:

    pip install . mypy 'setuptools>=77'
    LEDGER_COMPILE_KERNEL=1 pip install --no-build-isolation --no-deps --force-reinstall .

(or ``scripts/compile-kernel DEST``: a compiled copy of a checkout, for tests and benches).
A compiled build also needs a C compiler and the Python headers.
"""

import os
import runpy
from pathlib import Path

from setuptools import setup

KERNEL = runpy.run_path(str(Path(__file__).parent / "projections" / "kernel.py"))["MODULES"]

if os.environ.get("LEDGER_COMPILE_KERNEL") == "1":
    try:
        from mypyc.build import mypycify
    except ImportError as missing:
        raise SystemExit(
            "LEDGER_COMPILE_KERNEL=1 needs mypy beside the project's dependencies: "
            "pip install --no-build-isolation (see setup.py)"
        ) from missing
    setup(ext_modules=mypycify(list(KERNEL), opt_level="3"))
else:
    setup()
