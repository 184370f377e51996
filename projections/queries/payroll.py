"""A month's payroll for a subtree: from rm_pay_periods, or from the events as known at a time.

Both answers price each worker's paid state with the policy version in force on
the month's first day, exactly as ``domain.pay.pay_for_month`` does; the
agreement test holds them to it line by line.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import InvalidInput, NotFound
from domain.limits import FIRST_YEAR, LAST_YEAR
from domain.pay import PayLine, month_bounds, pay_for_month, price
from domain.policy import PolicySchedule
from domain.vocabulary import CertificateLevel, Rating
from domain.worker import Worker
from ledger.application import Ledger
from projections.queries.scope import SUBTREE, within
from projections.sql import ReadStore

_MONTH = re.compile(r"(\d{4})-(\d{2})")

COLUMNS = (
    "worker_id",
    "name",
    "unit_id",
    "unit_name",
    "post",
    "post_label",
    "grade",
    "coefficient",
    "base",
    "allowance",
    "total",
    "city_share",
    "local_share",
    "policy_version",
    # The split of coefficient x base (policy-format.md, pay_split): the year's rating, the
    # basic part and the performance part paid. Last, after every column that was there.
    "performance_rating",
    "basic",
    "performance",
)

_PAID = """SELECT p.worker_id, w.name, p.unit_id, u.name, p.post, p.grade, p.certificate
FROM rm_pay_periods p JOIN rm_workers w ON w.worker_id = p.worker_id
LEFT JOIN rm_units u ON u.unit_id = p.unit_id
WHERE p.month_from <= %s AND (p.month_to IS NULL OR p.month_to > %s)"""

# Anyone ever placed in the subtree (in any state, however briefly), hired by the month's
# end: the candidates whose facts as known at a time are replayed.
_EVER_PLACED = """SELECT DISTINCT p.worker_id, w.name FROM rm_worker_periods p
JOIN rm_workers w ON w.worker_id = p.worker_id WHERE w.hire_date <= %s"""


def parse_month(text: str) -> str:
    """``YYYY-MM`` with a real month in the ledger's years, or a 422 naming ``month``."""
    found = _MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise InvalidInput.because("month_form", field="month", text=text)
    if not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise InvalidInput.because("month_years", field="month", first=FIRST_YEAR, last=LAST_YEAR)
    return found[0]


def lines(
    store: ReadStore, root: str | None, month: str, schedule: PolicySchedule
) -> list[dict[str, Any]]:
    """Every worker paid in ``month`` within ``root``'s subtree (everyone when None)."""
    statement, params = _PAID, [month, month]
    with store.transaction() as tx:
        if root is not None:
            condition, units = within(tx, "p.unit_id", root)
            statement, params = f"{statement} AND {condition}", [*params, *units]
        rows = tx.query(statement + " ORDER BY p.worker_id", params)
    # A policy that splits pay pays the performance part by the year's rating.
    split = schedule.on(month_bounds(month)[0]).pay_split is not None
    ratings = _ratings(store, int(month[:4])) if split else {}
    # A district has thousands of lines but a few dozen distinct positions (post, grade,
    # certificate): price each once. Pricing every line was a quarter of a district's
    # payroll request.
    priced: dict[tuple[str, int, str | None, Rating | None], PayLine] = {}

    def pay(post: str, grade: int, certificate: str | None, rating: Rating | None) -> PayLine:
        key = (post, grade, certificate, rating)
        if key not in priced:
            level = CertificateLevel(certificate) if certificate else None
            priced[key] = price(schedule, month, post, grade, level, rating)
        return priced[key]

    policy = schedule.on(month_bounds(month)[0])
    return [
        _line(
            worker_id,
            name,
            unit_id,
            unit_name,
            pay(post, grade, certificate, ratings.get(worker_id)),
            policy.post_label(post),
        )
        for worker_id, name, unit_id, unit_name, post, grade, certificate in rows
    ]


def _ratings(store: ReadStore, year: int) -> dict[str, Rating]:
    """Each worker's rating for ``year`` as recorded (a correction replaces it), from the
    recorded history, in the order ``domain.pay.year_rating`` reads the facts."""
    found: dict[str, Rating] = {}
    rows = store.query(
        "SELECT worker_id, effective_date, version, data FROM rm_worker_history "
        "WHERE type IN ('Appraised', 'AppraisalCorrected') AND data LIKE %s",
        [f'%"year": {year}%'],
    )
    for worker_id, _, _, data in sorted(rows, key=lambda r: (r[0], r[1] or "", r[2])):
        recorded = json.loads(data)
        if recorded.get("year") == year:
            found[worker_id] = Rating(recorded["rating"])
    return found


def lines_as_known(
    ledger: Ledger, store: ReadStore, root: str | None, month: str, known_at: datetime
) -> list[dict[str, Any]]:
    """The payroll as it would have been computed from what was recorded by ``known_at``.

    Each candidate's facts and the policy schedule are loaded as known then and
    given to ``pay_for_month``; a worker counts if, so known, they were paid
    that month in a unit of the subtree.
    """
    try:
        schedule = ledger.schedule(known_at)
    except NotFound:
        return []  # the ledger knew no policy yet, so nobody was on its payroll
    units: set[str] | None = None
    statement, params = _EVER_PLACED, [month_bounds(month)[1].isoformat()]
    if root is not None:
        units = {row[0] for row in store.query(SUBTREE + "SELECT unit_id FROM subtree", [root])}
        condition, subtree = within(store, "p.unit_id", root)
        statement, params = f"{statement} AND {condition}", [*params, *subtree]
    names = dict(store.query("SELECT unit_id, name FROM rm_units"))
    found = []
    for worker_id, name in store.query(statement + " ORDER BY p.worker_id", params):
        try:
            worker = ledger.as_known(UUID(worker_id), Worker, known_at)
        except NotFound:
            continue  # hired after ``known_at``
        line = pay_for_month(worker.facts, schedule, month)
        if line is None:
            continue
        unit_id = str(worker.state(schedule, month_bounds(month)[0]).unit_id)
        if units is None or unit_id in units:
            label = schedule.on(month_bounds(month)[0]).post_label(line.post)
            found.append(_line(worker_id, name, unit_id, names.get(unit_id, ""), line, label))
    return found


def _line(
    worker_id: str, name: str, unit_id: str, unit_name: str | None, pay: PayLine, post_label: str
) -> dict[str, Any]:
    return {
        "worker_id": worker_id,
        "name": name,
        "unit_id": unit_id,
        "unit_name": unit_name or "",
        "post": pay.post,
        "post_label": post_label,
        "grade": pay.grade,
        "coefficient": pay.coefficient,
        "base": pay.base,
        "allowance": pay.allowance,
        "total": pay.total,
        "city_share": pay.city_share,
        "local_share": pay.local_share,
        "policy_version": pay.policy_version,
        "basic": pay.basic,
        "performance": pay.performance,
        "performance_rating": pay.performance_rating.value if pay.performance_rating else None,
    }


def totals(found: list[dict[str, Any]]) -> dict[str, Any]:
    def total(key: str) -> Decimal:
        return sum((line[key] for line in found), Decimal("0.00"))

    return {
        "workers": len(found),
        "total": total("total"),
        "city_share": total("city_share"),
        "local_share": total("local_share"),
    }
