"""Months as numbers (``year * 12 + month - 1``): a window's months, a pay period's ends."""

from __future__ import annotations

from datetime import date

from projections.models.replayed import FOREVER as FOREVER  # after an open-ended period


def month_index(month: str) -> int:
    """``YYYY-MM`` as a number (``projections.models.payroll.month_text`` turns it back)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_start(month: int) -> date:
    """The first day of a month given as a number."""
    return date(month // 12, month % 12 + 1, 1)
