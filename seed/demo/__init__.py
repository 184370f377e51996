"""The demo district: a deterministic Baohe-shaped district loaded through the ledger's commands.

Thirteen street offices (街道/镇/大社区) with communities of all three kinds, quotas
approved from the policy's formula (district total 3007 at full size, as in the seed
article), and about 3,000 community workers hired mostly in 2020-2021, then five
years of careers: annual appraisals 2021-2025, corrections, the January step runs,
the 2021 two-committee elections, promotions, transfers, education upgrades,
certificates, resignations, retirements and dismissals.

Everything goes through :class:`ledger.application.Ledger`'s commands, so every
domain rule is checked on the way in. The facts are a function of ``workers`` and
``seed`` only: a seeded ``random.Random``, fixed dates (never today's), and no
ordering by generated ids, so two runs on two fresh stores record the same facts.

The story ends in January 2026 with the 2025 appraisals just recorded: the steps
due on 1 January 2026 and the dismissals the 2025 appraisals require are left for
the user to see (and apply) through the API.

The package: ``shape`` (dates, street offices, names, odds), ``draws`` (pure helpers),
``records`` (the loader's shadow of the story), then the loader in layers, each a
subclass of the one before: ``district`` (commands, units, quotas), ``careers``,
``hiring``, ``appraisals`` and ``loader`` (the story and its summary).
"""

from seed.demo.loader import DemoLoader, estimated_commands, load_demo
from seed.demo.records import DemoSummary, DemoUnit, DemoWorker
from seed.demo.shape import (
    DEFAULT_SEED,
    DEFAULT_WORKERS,
    END_DATE,
    QUOTA_DOCUMENT,
    QUOTA_START,
    REVIEW_DATE,
    REVIEW_DOCUMENT,
    STREETS,
)

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_WORKERS",
    "END_DATE",
    "QUOTA_DOCUMENT",
    "QUOTA_START",
    "REVIEW_DATE",
    "REVIEW_DOCUMENT",
    "STREETS",
    "DemoLoader",
    "DemoSummary",
    "DemoUnit",
    "DemoWorker",
    "estimated_commands",
    "load_demo",
]
