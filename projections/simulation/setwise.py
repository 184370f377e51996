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

import pickle
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from domain.policy_parts import UnitCounts
from domain.vocabulary import CertificateLevel, UnitKind
from projections.simulation.careers import Side
from projections.simulation.comparison import Comparison
from projections.simulation.months import month_start
from projections.simulation.pricing import Priced, Pricer
from projections.simulation.results import Sums, UnitInfo, WorkerDifference
from projections.sql import Transaction, one_of

CHUNK = 500  # differing workers read at once when every one of them is wanted
_PLANNER_SETTINGS = ("work_mem", "enable_mergejoin", "jit", "enable_sort")  # for the sums

_MONEY = ("a_total", "a_city", "a_local", "d_total", "d_city", "d_local")
_VALUES = (*_MONEY, "differs")  # each month's, in fen; differs: 1 where the sides differ
_TEMPORARY = ("sim_segments", "sim_scope", "sim_paid")
_SEGMENT_COLUMNS = (
    "post",
    "grade",
    "certificate",
    "seg_from",
    "seg_to",
    *(f"r_{column}" for column in _VALUES),
    *_VALUES,
)
# A segment of months over which a position's pay is the same: first month, the month
# after the last, and each month's values (``_VALUES``).
_Priced = tuple[int, int, tuple[int, ...]]


def _segments(comparison: Comparison) -> list[tuple[int, int]]:
    """The window cut where pay may change (the comparison's breaks), joined again where
    neither side's policy version nor base changes after all (a January whose base follows
    the same wage): a price is a function of the policy and the base (``domain.pay.price``)."""
    segments: list[tuple[int, int]] = []
    last: tuple[Any, ...] | None = None
    for start, end in pairwise(sorted(comparison.breaks)):
        day = month_start(start)
        now = tuple(
            (schedule.version_on(day).version, schedule.on(day).base_pay_on(day))
            for schedule in (comparison.adopted, comparison.draft)
        )
        if segments and now == last:
            segments[-1] = (segments[-1][0], end)
        else:
            segments.append((start, end))
        last = now
    return segments


def _price(
    pricer: Pricer, month: int, post: str, grade: int, level: CertificateLevel | None
) -> Priced:
    """A position's price in a segment, or nothing where the side's policy has no such post
    then: every position is priced over the whole window for its running sums, but a post
    one version defines is held by nobody while another (without it) is in force."""
    policy = pricer.schedule.on(month_start(month))
    if policy.post_of(post) not in policy.post_grades:
        return Priced(*(Decimal("0.00"),) * 6, (0, 0, 0), post)
    return pricer(month, post, grade, level)


def unit_infos(tx: Transaction, c: Comparison, sums: Sums) -> None:
    """Every unit in scope, with its quotas on the first day of the last month, from the
    read models (what ``Comparison.unit`` finds in each unit's events); for this module
    and a simulation that reads careers from ``rm_career_facts``."""
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


class SetwisePricing:
    """One pay-only comparison over the stored careers, read in the caller's transaction:
    a snapshot (``moment``), so that the sums and every worker are of one moment."""

    def __init__(self, comparison: Comparison, dialect: str) -> None:
        self.comparison = comparison
        self.dialect = dialect
        self.segments = _segments(comparison)
        self.temp = "pg_temp." if self.dialect == "postgres" else "temp."

    # -- the sums -----------------------------------------------------------------------
    def sums(self, tx: Transaction, after: str | None, limit: int | None) -> tuple[Sums, list[str]]:
        """The sums, and the differing workers after ``after`` in id order: the first
        ``limit`` + 1 of them (one more tells whether another page follows), or all."""
        comparison = self.comparison
        sums = Sums(comparison.last_month - comparison.first_month + 1)
        if self.dialect == "postgres":
            # The groups of a province's workers fit in memory: no spill to disk. The
            # planner's estimates for the temporary tables chose merge joins, sorting
            # every stretch by its text columns: hash joins took a fifth of the time.
            # Compiling these few queries (JIT) took longer than running them.
            tx.execute("SET LOCAL work_mem = '256MB'")
            tx.execute("SET LOCAL enable_mergejoin = off")
            tx.execute("SET LOCAL jit = off")
            # The planner guesses a few thousand joined stretches (the month ranges
            # defeat its estimates; the temporary tables have none) and groups by
            # sorting on the text keys: on the province 1.1 s to sort 581,303 rows and
            # 0.8 s to group them, of sim_paid's 2.7 s. Hash tables (in the 256 MB)
            # skip both; the page's ids are still sorted, there being no other way.
            tx.execute("SET LOCAL enable_sort = off")
        unit_infos(tx, self.comparison, sums)
        self._temporary(tx)
        try:
            prices = self._prices(tx)
            self._per_month(tx, sums, prices)
            self._per_worker_and_unit(tx)
            self._per_unit(tx, sums)
            self._counts(tx, sums)
            differing = self._differing(tx, after, limit)
        finally:
            for name in _TEMPORARY:
                tx.execute(f"DROP TABLE IF EXISTS {self.temp}{name}")
        if self.dialect == "postgres":
            # The workers are read next in this transaction (one moment): by the planner's
            # own choices, as when they were read in a transaction of their own.
            for setting in _PLANNER_SETTINGS:
                tx.execute(f"SET LOCAL {setting} TO DEFAULT")
        return sums, differing

    def _temporary(self, tx: Transaction) -> None:
        for name in _TEMPORARY:
            tx.execute(f"DROP TABLE IF EXISTS {self.temp}{name}")
        values = ", ".join(f"r_{column} BIGINT" for column in _VALUES)
        values += ", " + ", ".join(f"{column} BIGINT" for column in _VALUES)
        tx.execute(
            "CREATE TEMPORARY TABLE sim_segments (post TEXT, grade INTEGER, certificate TEXT,"
            f" seg_from INTEGER, seg_to INTEGER, {values})"
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

    def _window(self) -> tuple[str, str, str]:
        """Each stored stretch's months within the window (first, after the last), and
        the condition that it has any."""
        first, after = self.comparison.first_month, self.comparison.last_month + 1
        return (
            f"CASE WHEN r.month_from > {first} THEN r.month_from ELSE {first} END",
            f"CASE WHEN r.month_to < {after} THEN r.month_to ELSE {after} END",
            f"r.month_from < {after} AND r.month_to > {first}",
        )

    def _prices(self, tx: Transaction) -> dict[tuple[str, int, str], list[_Priced]]:
        """Each distinct position paid in the window, priced once per side and segment
        (answered, and kept in ``sim_segments`` with the running sums of the window's
        months before each segment): a stretch's pay is the running sum after its last
        month less the one before its first."""
        c = self.comparison
        _, _, overlaps = self._window()
        keys = tx.query(
            "SELECT DISTINCT r.post, r.grade, r.certificate FROM rm_replayed_pay r"
            + self._scoped("r")
            + f" WHERE {overlaps}"
        )
        prices: dict[tuple[str, int, str], list[_Priced]] = {}
        rows: list[tuple[Any, ...]] = []
        for code, grade, certificate in keys:
            post = code
            level = CertificateLevel(certificate) if certificate else None
            running: tuple[int, ...] = (0,) * 7
            priced: list[_Priced] = []
            for start, end in self.segments:
                a = _price(c.price_adopted, start, post, grade, level)
                d = _price(c.price_draft, start, post, grade, level)
                # The same price all through the segment: the page's workers, worked out
                # month by month by the comparison, find it remembered for every month.
                for month in range(start, end):
                    c.price_adopted.cache[month, post, grade, level, None] = a
                    c.price_draft.cache[month, post, grade, level, None] = d
                values = (*a.fen, *d.fen, int(a != d))
                priced.append((start, end, values))
                rows.append((code, grade, certificate, start, end, *running, *values))
                running = tuple(r + (end - start) * v for r, v in zip(running, values, strict=True))
            prices[code, grade, certificate] = priced
        if self.dialect == "postgres":
            # One block of COPY text: a row at a time through the driver was most of it.
            lines = ("\t".join(map(str, row)) + "\n" for row in rows)
            tx.copy_text("sim_segments", _SEGMENT_COLUMNS, "".join(lines))
            tx.execute("ANALYZE sim_segments")  # a temporary table has no statistics else
        else:
            self._insert(tx, "sim_segments", _SEGMENT_COLUMNS, rows)
        return prices

    def _per_worker_and_unit(self, tx: Transaction) -> None:
        """Each worker's pay in each unit over the window (``sim_paid``): for each stored
        stretch, the running sums at its ends, found in the segments holding them."""
        start, end, overlaps = self._window()

        def running(alias: str, month: str, column: str) -> str:
            return f"({alias}.r_{column} + ({month} - {alias}.seg_from) * {alias}.{column})"

        sums = ", ".join(
            f"CAST(SUM({running('e', end, column)} - {running('b', start, column)}) AS BIGINT)"
            f" AS {column}"
            for column in _MONEY
        )
        differs = f"{running('e', end, 'differs')} > {running('b', start, 'differs')}"
        position = "{0}.post = r.post AND {0}.grade = r.grade AND {0}.certificate = r.certificate"
        tx.execute(
            "CREATE TEMPORARY TABLE sim_paid AS SELECT r.worker_id, r.unit_id,"
            f" MAX(CASE WHEN {differs} THEN 1 ELSE 0 END) AS differs, {sums}"
            " FROM rm_replayed_pay r"
            + self._scoped("r")
            + f" JOIN sim_segments b ON {position.format('b')}"
            f" AND b.seg_from <= {start} AND {start} < b.seg_to"
            f" JOIN sim_segments e ON {position.format('e')}"
            f" AND e.seg_from < {end} AND {end} <= e.seg_to"
            f" WHERE {overlaps} GROUP BY r.worker_id, r.unit_id"
        )

    def _per_unit(self, tx: Transaction, sums: Sums) -> None:
        """Each unit's six sums, its workers and those paid differently there."""
        columns = ", ".join(f"CAST(SUM({column}) AS BIGINT)" for column in _MONEY)
        found = tx.query(
            f"SELECT unit_id, {columns}, COUNT(*), SUM(differs) FROM sim_paid GROUP BY unit_id"
        )
        for unit_id, *values in found:
            sums.units[unit_id] = [int(value) for value in values]

    def _counts(self, tx: Transaction, sums: Sums) -> None:
        """Workers compared, affected, gaining and losing (a worker gains or loses on the
        total over the window, wherever they were paid)."""
        found = tx.query(
            "SELECT COUNT(*), SUM(differs),"
            " SUM(CASE WHEN differs = 1 AND d_total > a_total THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN differs = 1 AND d_total < a_total THEN 1 ELSE 0 END)"
            " FROM (SELECT worker_id, MAX(differs) AS differs, SUM(a_total) AS a_total,"
            " SUM(d_total) AS d_total FROM sim_paid GROUP BY worker_id) w"
        )
        compared, affected, gaining, losing = (int(value or 0) for value in found[0])
        sums.compared, sums.affected = compared, affected
        sums.gaining, sums.losing = gaining, losing

    def _differing(self, tx: Transaction, after: str | None, limit: int | None) -> list[str]:
        # Ids compared and ordered byte by byte, as Python compares them (a page's cursor).
        worker = 'worker_id COLLATE "C"' if self.dialect == "postgres" else "worker_id"
        where, params = "", []
        if after is not None:
            where, params = f" WHERE {worker} > %s", [after]
        last = f" LIMIT {int(limit) + 1}" if limit is not None else ""
        found = tx.query(
            f"SELECT worker_id FROM sim_paid{where} GROUP BY worker_id"
            f" HAVING MAX(differs) = 1 ORDER BY {worker}{last}",
            params,
        )
        return [worker_id for (worker_id,) in found]

    def _per_month(
        self,
        tx: Transaction,
        sums: Sums,
        prices: dict[tuple[str, int, str], list[_Priced]],
    ) -> None:
        """Each month's six sums: how many are paid in each position that month, from
        where their stretches start and end, times the position's pay that month.
        ``Sums.by_month`` holds them as running differences."""
        start, end, overlaps = self._window()
        scoped = self._scoped("r")
        found = tx.query(
            f"SELECT r.post, r.grade, r.certificate, {start}, COUNT(*)"
            f" FROM rm_replayed_pay r{scoped} WHERE {overlaps}"
            f" GROUP BY r.post, r.grade, r.certificate, {start}"
            f" UNION ALL SELECT r.post, r.grade, r.certificate, {end}, -COUNT(*)"
            f" FROM rm_replayed_pay r{scoped} WHERE {overlaps}"
            f" GROUP BY r.post, r.grade, r.certificate, {end}"
        )
        months = len(sums.by_month[0]) - 1
        offset = self.comparison.first_month
        changes: dict[tuple[str, int, str], list[int]] = {}
        for code, grade, certificate, month, count in found:
            changes.setdefault((code, grade, certificate), [0] * (months + 1))[month - offset] += (
                int(count)
            )
        totals = [[0] * months for _ in _MONEY]
        for key, change in changes.items():
            paid = 0
            for first, after, values in prices[key]:
                for month in range(first - offset, after - offset):
                    paid += change[month]
                    if paid:
                        for column in range(6):
                            totals[column][month] += paid * values[column]
        for column, each_month in enumerate(totals):
            previous = 0
            for month, value in enumerate(each_month):
                sums.by_month[column][month] = value - previous
                previous = value
            sums.by_month[column][months] = -previous

    # -- the workers -----------------------------------------------------------------
    def differences(self, tx: Transaction, worker_ids: Sequence[str]) -> list[WorkerDifference]:
        """These workers' differences, in the order given, from their stored stretches."""
        return self._worked_out(worker_ids, *_stored(tx, worker_ids))

    def _worked_out(
        self, worker_ids: Sequence[str], rows: list[tuple[Any, ...]], names: dict[str, str]
    ) -> list[WorkerDifference]:
        periods: dict[str, list[tuple[int, int, tuple[str, str, int, Any]]]] = {}
        for worker_id, start, end, unit_id, code, grade, certificate in rows:
            level = CertificateLevel(certificate) if certificate else None
            periods.setdefault(worker_id, []).append((start, end, (unit_id, code, grade, level)))
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
        # No rating: a schedule that splits pay is never priced set-wise (``pay_only``).
        pay, totals_a, totals_d, _ = c._pay(side, side, scratch, found_at, {})
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

    def spool(self, tx: Transaction, worker_ids: Sequence[str], folder: Path) -> Path:
        """These workers' stored stretches and names, read now, in the snapshot of the sums,
        a chunk at a time into one file of ``folder``, for :meth:`every_difference`. Read
        lazily later, as the answer was sent, they were of a later moment than the sums
        when the projector had moved on meanwhile. The rows, not the differences, are
        pickled: plain tuples pickle in a fraction of the time (on the district's 17,428
        differing workers pickling the differences cost 0.4-1.0 s more than the lazy read)."""
        path = folder / "setwise-stored.pickle"
        with path.open("wb") as spool:
            for start in range(0, len(worker_ids), CHUNK):
                chunk = worker_ids[start : start + CHUNK]
                pickle.dump((chunk, *_stored(tx, chunk)), spool, pickle.HIGHEST_PROTOCOL)
        return path

    def every_difference(self, spooled: Path) -> Iterator[WorkerDifference]:
        """Every differing worker, in id order, worked out a chunk at a time from what
        :meth:`spool` read."""
        with spooled.open("rb") as spool:
            while True:
                try:
                    chunk, rows, names = pickle.load(spool)  # noqa: S301 - our own spool file
                except EOFError:
                    return
                yield from self._worked_out(chunk, rows, names)


def _stored(
    tx: Transaction, worker_ids: Sequence[str]
) -> tuple[list[tuple[Any, ...]], dict[str, str]]:
    """These workers' stored stretches in id and month order, and their names."""
    if not worker_ids:
        return [], {}
    owned, params = one_of(tx.dialect, "r.worker_id", list(worker_ids))
    rows = tx.query(
        "SELECT r.worker_id, r.month_from, r.month_to, r.unit_id, r.post, r.grade,"
        f" r.certificate FROM rm_replayed_pay r WHERE {owned}"
        " ORDER BY r.worker_id, r.month_from",
        params,
    )
    owned, params = one_of(tx.dialect, "worker_id", list(worker_ids))
    names = dict(tx.query(f"SELECT worker_id, name FROM rm_workers WHERE {owned}", params))
    return rows, names
