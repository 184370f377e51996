"""A pay-only draft priced set-wise: the stored adopted careers, each distinct price once.

A draft that changes pay alone (``draft.pay_only``) derives the very careers the adopted
policy does, so nothing needs replaying: ``rm_replayed_pay`` already holds every worker's
paid stretches as a simulation derives them (``projections.models.replayed``). Pay is
constant between the comparison's breaks (each January, each change of either side's
policy version), so the stretches are cut at those months in SQL, every distinct
(months, post, grade, certificate) is priced once per side with ``domain.pay.price``
(through the comparison's own ``Pricer``), and the sums the answer needs are added up
by the database: per worker and unit, and per month.

The page of differing workers (or every one of them, read lazily in id order) is made
by the comparison's own month-by-month code over the same stored stretches, so each
worker's lines are the replaying path's, character for character. The agreement tests
(tests/integration/test_simulation_setwise.py) hold the whole answer to the replaying
path's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from itertools import pairwise
from typing import Any

from domain.policy_parts import UnitCounts
from domain.vocabulary import CertificateLevel, Post, UnitKind
from ledger.application import Ledger
from projections.projector import NAME
from projections.simulation.careers import Side
from projections.simulation.comparison import Comparison
from projections.simulation.results import Sums, UnitInfo, WorkerDifference
from projections.sql import ReadStore, Transaction, one_of

CHUNK = 500  # differing workers read at once when every one of them is wanted

_PRICE_COLUMNS = (
    "seg_from",
    "seg_to",
    "post",
    "grade",
    "certificate",
    "a_total",
    "a_city",
    "a_local",
    "d_total",
    "d_city",
    "d_local",
    "differs",
)


def ready(ledger: Ledger, store: ReadStore) -> bool:
    """Whether the read models hold every event recorded so far and every worker's
    stored adopted career (a ledger projected before that model existed has none)."""
    head = ledger.recorder.max_notification_id() or 0
    with store.transaction() as tx:
        if not all(_exists(tx, t) for t in ("rm_position", "rm_workers", "rm_replayed_workers")):
            return False  # never projected here
        found = tx.query("SELECT position FROM rm_position WHERE projection = %s", (NAME,))
        if not found or int(found[0][0]) < head:
            return False
        workers, replayed = tx.query(
            "SELECT (SELECT COUNT(*) FROM rm_workers), (SELECT COUNT(*) FROM rm_replayed_workers)"
        )[0]
    return bool(workers == replayed)


def _exists(tx: Transaction, table: str) -> bool:
    if tx.dialect == "postgres":
        return bool(tx.query("SELECT to_regclass(%s) IS NOT NULL", (table,))[0][0])
    return bool(tx.query("SELECT 1 FROM sqlite_master WHERE name = %s", (table,)))


def post_of(code: str) -> Post:
    """A stored post code as the pricing and the answer take it."""
    return Post(code)


class SetwisePricing:
    """One pay-only comparison over the stored careers, in a read-model store."""

    def __init__(self, comparison: Comparison, store: ReadStore) -> None:
        self.comparison = comparison
        self.store = store
        self.dialect = store.dialect
        edges = sorted(comparison.breaks)
        self.segments = list(pairwise(edges))
        self.temp = "pg_temp." if self.dialect == "postgres" else "temp."

    # -- the sums -----------------------------------------------------------------------
    def sums(self) -> tuple[Sums, list[tuple[str, bool, int, int]]]:
        """The sums, and each worker paid in the window and scope: (id, differs, adopted
        total, draft total), in id order."""
        comparison = self.comparison
        sums = Sums(comparison.last_month - comparison.first_month + 1)
        with self.store.transaction() as tx:
            self._units(tx, sums)
            self._temporary(tx)
            try:
                self._prices(tx)
                workers = self._per_worker_and_unit(tx, sums)
                self._per_month(tx, sums)
            finally:
                tx.execute(f"DROP TABLE IF EXISTS {self.temp}sim_prices")
                tx.execute(f"DROP TABLE IF EXISTS {self.temp}sim_scope")
        return sums, workers

    def _temporary(self, tx: Transaction) -> None:
        for name in ("sim_prices", "sim_scope"):
            tx.execute(f"DROP TABLE IF EXISTS {self.temp}{name}")
        tx.execute(
            "CREATE TEMPORARY TABLE sim_prices (seg_from INTEGER, seg_to INTEGER, post TEXT, "
            "grade INTEGER, certificate TEXT, a_total BIGINT, a_city BIGINT, a_local BIGINT, "
            "d_total BIGINT, d_city BIGINT, d_local BIGINT, differs INTEGER)"
        )
        tx.execute("CREATE TEMPORARY TABLE sim_scope (unit_id TEXT PRIMARY KEY)")
        if self.comparison.scope is not None:
            self._insert(tx, "sim_scope", ("unit_id",), [(u,) for u in self.comparison.scope])

    def _insert(
        self, tx: Transaction, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        if self.dialect == "postgres":
            tx.copy(table, columns, rows)
        else:
            marks = ", ".join(["%s"] * len(columns))
            tx.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def _scoped(self, alias: str) -> str:
        if self.comparison.scope is None:
            return ""
        return f" JOIN sim_scope s ON s.unit_id = {alias}.unit_id"

    def _prices(self, tx: Transaction) -> None:
        """Each distinct position paid in the window, priced once per side and segment."""
        c = self.comparison
        keys = tx.query(
            "SELECT DISTINCT r.post, r.grade, r.certificate FROM rm_replayed_pay r"
            + self._scoped("r")
            + " WHERE r.month_from <= %s AND r.month_to > %s",
            (c.last_month, c.first_month),
        )
        rows: list[tuple[Any, ...]] = []
        for start, end in self.segments:
            for code, grade, certificate in keys:
                post = post_of(code)
                level = CertificateLevel(certificate) if certificate else None
                a = c.price_adopted(start, post, grade, level)
                d = c.price_draft(start, post, grade, level)
                rows.append((start, end, code, grade, certificate, *a.fen, *d.fen, int(a != d)))
        self._insert(tx, "sim_prices", _PRICE_COLUMNS, rows)

    def _pieces(self) -> str:
        """Every stored stretch cut at the segments, with its months and both prices."""
        return (
            "WITH pieces AS (SELECT r.worker_id, r.unit_id,"
            " CASE WHEN r.month_from > p.seg_from THEN r.month_from ELSE p.seg_from END AS m_from,"
            " CASE WHEN r.month_to < p.seg_to THEN r.month_to ELSE p.seg_to END AS m_to,"
            " p.a_total, p.a_city, p.a_local, p.d_total, p.d_city, p.d_local, p.differs"
            " FROM rm_replayed_pay r JOIN sim_prices p ON p.post = r.post AND p.grade = r.grade"
            " AND p.certificate = r.certificate AND r.month_from < p.seg_to"
            " AND r.month_to > p.seg_from" + self._scoped("r") + ") "
        )

    def _per_worker_and_unit(self, tx: Transaction, sums: Sums) -> list[tuple[str, bool, int, int]]:
        found = tx.query(
            self._pieces() + "SELECT worker_id, unit_id, MAX(differs),"
            " SUM((m_to - m_from) * a_total), SUM((m_to - m_from) * a_city),"
            " SUM((m_to - m_from) * a_local), SUM((m_to - m_from) * d_total),"
            " SUM((m_to - m_from) * d_city), SUM((m_to - m_from) * d_local)"
            " FROM pieces GROUP BY worker_id, unit_id"
        )
        workers: dict[str, list[int]] = {}
        for worker_id, unit_id, differs, *money in found:
            values = [int(v) for v in money]
            unit = sums.units.setdefault(unit_id, [0] * 8)
            for n, value in enumerate(values):
                unit[n] += value
            unit[6] += 1
            unit[7] += differs
            worker = workers.setdefault(worker_id, [0, 0, 0])
            worker[0] |= differs
            worker[1] += values[0]
            worker[2] += values[3]
        answer = [(w, bool(v[0]), v[1], v[2]) for w, v in sorted(workers.items())]
        for _, differs, adopted, draft in answer:
            sums.compared += 1
            if differs:
                sums.affected += 1
                sums.gaining += draft > adopted
                sums.losing += draft < adopted
        return answer

    def _per_month(self, tx: Transaction, sums: Sums) -> None:
        """The running differences: each stretch adds at its first month and takes away
        after its last (``Sums.by_month``)."""
        money = "SUM(a_total), SUM(a_city), SUM(a_local), SUM(d_total), SUM(d_city), SUM(d_local)"
        found = tx.query(
            self._pieces() + f"SELECT 1, m_from, {money} FROM pieces GROUP BY m_from "
            f"UNION ALL SELECT -1, m_to, {money} FROM pieces GROUP BY m_to"
        )
        offset = self.comparison.first_month
        for sign, month, *values in found:
            for column, value in enumerate(values):
                sums.by_month[column][month - offset] += sign * int(value)

    def _units(self, tx: Transaction, sums: Sums) -> None:
        """Every unit in scope, with its quotas on the first day of the last month."""
        c = self.comparison
        day = c.quota_day.isoformat()
        found = tx.query(
            "SELECT u.unit_id, u.name, u.kind, u.parent_id, u.unit_class, q.approved,"
            " q.households, q.grids, q.population FROM rm_units u"
            " JOIN rm_replayed_unit_quota q ON q.unit_id = u.unit_id"
            " AND q.valid_from = (SELECT MAX(valid_from) FROM rm_replayed_unit_quota m"
            " WHERE m.unit_id = u.unit_id AND m.valid_from <= %s)",
            (day,),
        )
        adopted, draft = c.adopted.on(c.quota_day), c.draft.on(c.quota_day)
        for unit_id, name, kind, parent, unit_class, approved, *counts in found:
            if not c.in_scope(unit_id):
                continue
            kind = UnitKind(kind)
            counted = UnitCounts(*counts)
            sums.unit_info[unit_id] = UnitInfo(
                unit_id,
                name,
                kind,
                parent,
                approved,
                adopted.computed_quota(kind, unit_class, counted),
                draft.computed_quota(kind, unit_class, counted),
            )

    # -- the workers -----------------------------------------------------------------
    def differences(self, worker_ids: Sequence[str]) -> list[WorkerDifference]:
        """These workers' differences, in the order given, from their stored stretches."""
        if not worker_ids:
            return []
        with self.store.transaction() as tx:
            owned, params = one_of(tx.dialect, "r.worker_id", list(worker_ids))
            rows = tx.query(
                "SELECT r.worker_id, r.month_from, r.month_to, r.unit_id, r.post, r.grade,"
                f" r.certificate FROM rm_replayed_pay r WHERE {owned}"
                " ORDER BY r.worker_id, r.month_from",
                params,
            )
            owned, params = one_of(tx.dialect, "worker_id", list(worker_ids))
            names = dict(tx.query(f"SELECT worker_id, name FROM rm_workers WHERE {owned}", params))
        periods: dict[str, list[tuple[int, int, tuple[str, Post, int, Any]]]] = {}
        for worker_id, start, end, unit_id, code, grade, certificate in rows:
            level = CertificateLevel(certificate) if certificate else None
            periods.setdefault(worker_id, []).append(
                (start, end, (unit_id, post_of(code), grade, level))
            )
        found = []
        for worker_id in worker_ids:
            paid = periods.get(worker_id, [])
            side = Side([], [], paid, [start for start, _, _ in paid], [])
            difference = self._difference(worker_id, names.get(worker_id, ""), side)
            if difference is not None:
                found.append(difference)
        return found

    def _difference(self, worker_id: str, name: str, side: Side) -> WorkerDifference | None:
        """What ``Comparison.worker`` answers for a career both sides share: pay alone."""
        c = self.comparison
        scratch = Sums(c.last_month - c.first_month + 1)  # the sums come from SQL
        found_at: list[tuple[date, str]] = []
        pay, totals_a, totals_d, _ = c._pay(side, side, scratch, found_at)
        if not pay:
            return None
        first_day, unit_id = min(found_at)
        return WorkerDifference(
            worker_id,
            name,
            unit_id,
            first_day.isoformat()[:7],
            totals_a,
            totals_d,
            pay,
            [],
            [],
            [],
            [],
        )

    def every_difference(self, worker_ids: Sequence[str]) -> Iterator[WorkerDifference]:
        """Every one of these workers' differences, a chunk at a time, in the order given."""
        for start in range(0, len(worker_ids), CHUNK):
            yield from self.differences(worker_ids[start : start + CHUNK])
