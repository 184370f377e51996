"""The typed reads of a policy document: each checks one value, records a problem if it
is wrong and returns a harmless value, so that every problem is listed at once."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.errors import PolicyProblem
from domain.policy_parts import (
    money,
)


class Reads:
    """A document being read, and the problems found so far."""

    def __init__(self, document: Mapping[str, Any], consistency: bool = True) -> None:
        self.document = document
        self.consistency = consistency
        self.problems: list[PolicyProblem] = []

    def _problem(self, kind: str, where: str = "", **params: Any) -> None:
        self.problems.append(PolicyProblem(kind, where, **params))

    # -- typed readers: each records a problem and returns a harmless value --
    def _int(self, where: str, raw: Any, minimum: int = 0) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
            self._problem("whole_number", f"parameters.{where}", minimum=minimum)
            return minimum
        return raw

    def _decimal(self, where: str, raw: Any) -> Decimal:
        try:
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                raise InvalidOperation
            value = Decimal(raw)
            if not value.is_finite() or value < 0:
                raise InvalidOperation
        except InvalidOperation:
            self._problem("decimal", f"parameters.{where}")
            return Decimal(0)
        return value

    def _share(self, where: str, raw: Any) -> Decimal:
        value = self._decimal(where, raw)
        if value > 1:
            self._problem("share", f"parameters.{where}")
        return value

    def _money(self, where: str, raw: Any) -> Decimal:
        return money(self._decimal(where, raw))

    def _enum_map(
        self,
        name: str,
        raw: Any,
        enum: Any,
        read: Any,
        *,
        complete: bool = True,
    ) -> dict[Any, Any]:
        if not isinstance(raw, Mapping):
            self._problem("not_an_object", f"parameters.{name}")
            return {}
        result: dict[Any, Any] = {}
        # An enum's members, or a policy's own codes (its posts) as plain strings.
        codes = {getattr(member, "value", member): member for member in enum}
        for key, value in raw.items():
            if key not in codes:
                self._problem("unknown_code", f"parameters.{name}.{key}")
                continue
            result[codes[key]] = read(f"{name}.{key}", value)
        if complete:
            for code in codes:
                if code not in raw:
                    self._problem("missing_code", f"parameters.{name}.{code}")
        return result


def identity(_where: str, raw: Any) -> Any:
    return raw


# -- shipped packs ------------------------------------------------------------
