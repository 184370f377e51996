"""A simulation's answer as JSON-ready mappings and CSV rows, for the API and the CLI alike.

Money is in fen while summed (exact integers) and shown as decimal strings with two places;
every code travels with its Chinese label (``post_label``, ``flag_label``, ``kind_label``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import accumulate
from typing import Any

from projections.simulation.pricing import Priced
from projections.simulation.results import CHANGE_LABELS, FLAG_LABELS, UnitInfo, WorkerDifference
from projections.simulation.run import Outcome

PAY_FIELDS = ("total", "city_share", "local_share")

CSV_COLUMNS = (
    "worker_id",
    "name",
    "unit_id",
    "first_month",
    "months_differing",
    "adopted_total",
    "draft_total",
    "difference",
    "adopted_city_share",
    "draft_city_share",
    "adopted_local_share",
    "draft_local_share",
    "grades",
    "steps_gained",
    "steps_lost",
    "flags",
)


def money(fen: int) -> str:
    return str(Decimal(fen).scaleb(-2))


def _pay(fen: Iterable[int]) -> dict[str, str]:
    return {name: money(value) for name, value in zip(PAY_FIELDS, fen, strict=True)}


def compared(adopted: Iterable[int], draft: Iterable[int]) -> dict[str, dict[str, str]]:
    a, d = list(adopted), list(draft)
    return {
        "adopted": _pay(a),
        "draft": _pay(d),
        "difference": _pay(y - x for x, y in zip(a, d, strict=True)),
    }


# -- the summary: totals, months, units --------------------------------------------------------
def summary(outcome: Outcome, policy: Mapping[str, Any]) -> dict[str, Any]:
    """Everything but the workers: the policy compared, the totals, each month, each unit."""
    comparison, sums = outcome.comparison, outcome.sums
    columns = [list(accumulate(column[:-1])) for column in sums.by_month]
    months = [
        {"month": month, **compared((c[i] for c in columns[:3]), (c[i] for c in columns[3:]))}
        for i, month in enumerate(comparison.months)
    ]
    units = [_unit(info, sums.units.get(info.unit_id)) for info in _tree_order(sums.unit_info)]
    totals = [sum(c) for c in columns]
    return {
        "policy": dict(policy),
        "from_month": comparison.months[0],
        "to_month": comparison.months[-1],
        "totals": {
            "workers_compared": sums.compared,
            "workers_affected": sums.affected,
            "workers_gaining": sums.gaining,
            "workers_losing": sums.losing,
            **compared(totals[:3], totals[3:]),
            "quota": _quota(list(sums.unit_info.values())),
        },
        "months": months,
        "units": units,
    }


def _quota(infos: list[UnitInfo]) -> dict[str, int | None]:
    def total(values: list[int | None]) -> int | None:
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    return {
        "approved": total([i.approved_quota for i in infos]),
        "computed_adopted": total([i.computed_adopted for i in infos]),
        "computed_draft": total([i.computed_draft for i in infos]),
    }


def _unit(info: UnitInfo, sums: list[int] | None) -> dict[str, Any]:
    values = sums or [0] * 8
    return {
        "unit_id": info.unit_id,
        "name": info.name,
        "kind": info.kind.value,
        "kind_label": info.kind.label,
        "parent_id": info.parent_id,
        "workers": values[6],
        "workers_affected": values[7],
        **compared(values[:3], values[3:6]),
        "quota": _quota([info]),
    }


def _tree_order(infos: Mapping[str, UnitInfo]) -> Iterator[UnitInfo]:
    """Each unit followed by the units below it, siblings by name."""
    children: dict[str | None, list[UnitInfo]] = {}
    for info in infos.values():
        parent = info.parent_id if info.parent_id in infos else None
        children.setdefault(parent, []).append(info)
    waiting = sorted(children.get(None, []), key=_by_name, reverse=True)
    while waiting:
        info = waiting.pop()
        yield info
        waiting.extend(sorted(children.get(info.unit_id, []), key=_by_name, reverse=True))


def _by_name(info: UnitInfo) -> tuple[str, str]:
    return info.name, info.unit_id


# -- one worker -------------------------------------------------------------------------------
def worker(found: WorkerDifference) -> dict[str, Any]:
    return {
        "worker_id": found.worker_id,
        "name": found.name,
        "unit_id": found.unit_id,
        "first_month": found.first_month,
        **compared(found.adopted, found.draft),
        "months": [
            {
                "from_month": s.from_month,
                "to_month": s.to_month,
                "months": s.months,
                "adopted": _line(s.adopted),
                "draft": _line(s.draft),
                "difference": str(_total(s.draft) - _total(s.adopted)),
            }
            for s in found.pay
        ],
        "grades": [
            {
                "from": g.start.isoformat(),
                "to": g.end.isoformat(),
                "post": g.post,
                "post_label": g.post_label,
                "adopted_grade": g.adopted,
                "draft_grade": g.draft,
            }
            for g in found.grades
        ],
        "steps": {
            "gained": [d.isoformat() for d in found.steps_gained],
            "lost": [d.isoformat() for d in found.steps_lost],
        },
        "flags": [
            {
                "flag": f.flag,
                "flag_label": FLAG_LABELS[f.flag],
                "change": f.change,
                "change_label": CHANGE_LABELS[f.change],
                "from": f.start.isoformat(),
                "to": f.end.isoformat(),
            }
            for f in found.flags
        ],
    }


def _line(line: tuple[str, str, int, Priced] | None) -> dict[str, Any] | None:
    if line is None:
        return None
    unit_id, post, grade, priced = line
    return {
        "unit_id": unit_id,
        "post": post,
        "post_label": priced.post_label,
        "grade": grade,
        "coefficient": str(priced.coefficient),
        "base": str(priced.base),
        "allowance": str(priced.allowance),
        "total": str(priced.total),
        "city_share": str(priced.city_share),
        "local_share": str(priced.local_share),
    }


def _total(line: tuple[str, str, int, Priced] | None) -> Decimal:
    return line[3].total if line else Decimal("0.00")


def csv_row(found: WorkerDifference) -> dict[str, Any]:
    """One line per differing worker; lists are joined into one cell with ``; ``."""
    a, d = found.adopted, found.draft
    return {
        "worker_id": found.worker_id,
        "name": found.name,
        "unit_id": found.unit_id,
        "first_month": found.first_month,
        "months_differing": sum(s.months for s in found.pay),
        "adopted_total": money(a[0]),
        "draft_total": money(d[0]),
        "difference": money(d[0] - a[0]),
        "adopted_city_share": money(a[1]),
        "draft_city_share": money(d[1]),
        "adopted_local_share": money(a[2]),
        "draft_local_share": money(d[2]),
        "grades": "; ".join(
            f"{g.start}..{g.end} {g.post} {g.post_label} {g.adopted}->{g.draft}"
            for g in found.grades
        ),
        "steps_gained": "; ".join(d.isoformat() for d in found.steps_gained),
        "steps_lost": "; ".join(d.isoformat() for d in found.steps_lost),
        "flags": "; ".join(
            f"{f.flag} {FLAG_LABELS[f.flag]} {f.change} {CHANGE_LABELS[f.change]} "
            f"{f.start}..{f.end}"
            for f in found.flags
        ),
    }
