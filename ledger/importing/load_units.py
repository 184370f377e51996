"""The units sheet through the application's use cases: register, approve quotas, report
dispatch, record counts.

A unit's first row registers it (under its parent, registered first whatever the row
order); every row may carry a quota approval, a dispatch headcount and dated counts
(households, grids, population from a 统计日期 counts_date: what the policy's quota
formula reads). A unit already in the ledger is compared, not registered again: the
same values are skipped, different ones refused; counts already recorded are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.errors import LedgerError
from domain.unit import Unit
from domain.vocabulary import UnitKind
from ledger.importing.rows import COUNTS, Values
from ledger.importing.scope import Scope

UnitRow = tuple[str, int, Values]  # sheet, row, values
_DESCRIPTIVE = ("name", "kind", "class", "households", "population")
_DATED = frozenset({"households", "population"})  # counts, on a row with a counts_date


def load_units(scope: Scope, rows: list[UnitRow]) -> None:
    groups: dict[str, list[UnitRow]] = {}
    for found in rows:
        groups.setdefault(found[2]["unit_key"], []).append(found)
    for key in _parents_first(scope, groups):
        if scope.unit_id(key) in scope.failed_units:
            continue  # a row of it is bad: told by the first pass
        group = groups[key]
        unit = _registered(scope, key, group[0])
        if unit is None:
            continue
        for sheet, row, values in group:
            if _same_unit(scope, unit, sheet, row, values):
                _approve(scope, unit, sheet, row, values)
                _dispatch(scope, unit, sheet, row, values)
                _counts(scope, unit, sheet, row, values)


def _parents_first(scope: Scope, groups: dict[str, list[UnitRow]]) -> Iterator[str]:
    done: set[str] = set()
    for key in groups:
        chain: list[str] = []
        current: str | None = key
        while current in groups and current not in done:
            if current in chain:
                sheet, row, _ = groups[current][0]
                scope.problem(
                    sheet,
                    row,
                    "parent_key",
                    "the units above this one loop back to it",
                    "a tree of units under one district",
                )
                scope.failed_units.update(scope.unit_id(k) for k in chain)
                done.update(chain)
                break
            chain.append(current)
            current = groups[current][0][2].get("parent_key")
        for found in reversed([k for k in chain if k not in done]):
            done.add(found)
            yield found


def _registered(scope: Scope, key: str, first: UnitRow) -> Unit | None:
    sheet, row, values = first
    unit_id = scope.unit_id(key)
    scope.failed_units.add(unit_id)  # until registered or found
    known = scope.unit(unit_id)
    if known is not None:
        scope.failed_units.discard(unit_id)
        scope.counts["units_known"] += 1
        return known
    parent = None
    if "parent_key" in values:
        parent_id = scope.unit_id(values["parent_key"])
        parent = scope.unit(parent_id)
        if parent is None:
            if parent_id in scope.failed_units:
                return None  # the parent's own row tells why
            scope.problem(
                sheet,
                row,
                "parent_key",
                f"no unit {values['parent_key']!r} in the units sheet or the ledger",
                "the key of a unit above this one",
            )
            return None
    if "name" not in values or "kind" not in values:
        return None  # a problem of the row itself, found by the first pass
    dated = "counts_date" in values  # the row's counts are recorded from that date
    try:
        scope.ledger.register_unit(
            scope.ctx,
            name=values["name"],
            kind=values["kind"],
            parent_id=parent.id if parent else None,
            unit_class=values.get("class"),
            households=None if dated else values.get("households"),
            population=None if dated else values.get("population"),
            note=values.get("note", ""),
            unit_id=unit_id,
        )
    except LedgerError as error:
        scope.refused(sheet, row, error, "kind")
        return None
    scope.failed_units.discard(unit_id)
    scope.counts["units"] += 1
    return scope.unit(unit_id)


def _same_unit(scope: Scope, unit: Unit, sheet: str, row: int, values: Values) -> bool:
    """Each filled descriptive cell agrees with the unit as registered."""
    recorded: dict[str, Any] = {
        "name": unit.name,
        "kind": unit.kind,
        "class": unit.unit_class,
        "households": unit.households,
        "population": unit.population,
    }
    same = True
    dated = "counts_date" in values
    for code in _DESCRIPTIVE:
        if dated and code in _DATED:
            continue  # counts from a date, recorded as such
        if code in values and values[code] != recorded[code]:
            scope.problem(
                sheet,
                row,
                code,
                f"{values[code]!s} differs from the unit as recorded: {_shown(recorded[code])}",
                "the same value on every row "
                "of a unit, and as in the ledger (a unit is registered once)",
            )
            same = False
    if "parent_key" in values and scope.unit_id(values["parent_key"]) != unit.parent_id:
        scope.problem(
            sheet,
            row,
            "parent_key",
            "differs from the unit's parent as recorded",
            "the same parent on every row of a unit, and as in the ledger",
        )
        same = False
    return same


def _shown(value: Any) -> str:
    if isinstance(value, UnitKind):
        return f"{value.label} {value.value}"
    return "empty" if value is None else str(value)


def _approve(scope: Scope, unit: Unit, sheet: str, row: int, values: Values) -> None:
    if "quota" not in values:
        return
    quota, day, ref = values["quota"], values["quota_effective_date"], values["document_ref"]
    for approval in unit.approvals:
        if (approval.effective_date, approval.document_ref) == (day, ref):
            if approval.quota != quota:
                scope.problem(
                    sheet,
                    row,
                    "quota",
                    f"{ref} of {day} was recorded with quota {approval.quota}",
                    f"{approval.quota}, or a new approval with its own document number",
                )
            else:
                scope.counts["approvals_known"] += 1
            return
    try:
        scope.ledger.approve_quota(
            scope.ctx,
            unit.id,
            quota=quota,
            effective_date=day,
            document_ref=ref,
            note=values.get("note", ""),
        )
    except LedgerError as error:
        scope.refused(sheet, row, error, "quota")
        return
    scope.counts["approvals"] += 1


def _dispatch(scope: Scope, unit: Unit, sheet: str, row: int, values: Values) -> None:
    if "dispatch_year" not in values:
        return
    year, count = values["dispatch_year"], values["dispatch_headcount"]
    if unit.dispatch_headcount.get(year) == count:
        return
    try:
        scope.ledger.report_dispatch_headcount(scope.ctx, unit.id, year=year, count=count)
    except LedgerError as error:
        scope.refused(sheet, row, error, "dispatch_headcount")


def _counts(scope: Scope, unit: Unit, sheet: str, row: int, values: Values) -> None:
    """The row's dated counts, by the use case the API's ``POST /units/{id}/counts`` calls."""
    if "counts_date" not in values:
        return
    day = values["counts_date"]
    given = {code: values.get(code) for code in COUNTS}
    if any(
        (r.effective_date, r.households, r.grids, r.population) == (day, *given.values())
        for r in unit.counts_records
    ):
        scope.counts["counts_known"] += 1
        return
    try:
        scope.ledger.record_unit_counts(
            scope.ctx, unit.id, effective_date=day, note=values.get("note", ""), **given
        )
    except LedgerError as error:
        scope.refused(sheet, row, error, "counts_date")
        return
    scope.counts["counts"] += 1
