"""The reads of a policy's optional methods: entry-channel eligibility, a fixed pay base,
a basic/performance split and the quota formulas (docs/policy-format.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from domain.policy_parts import (
    AGE_LIMIT_BOUNDS,
    ELIGIBILITY_FIELDS,
    PAY_SPLIT_FIELDS,
    QUOTA_FIELDS,
    QUOTA_METHODS,
    Eligibility,
    PaySplit,
    QuotaFormula,
)
from domain.policy_reads import Reads, identity
from domain.vocabulary import Channel, Education, Rating


class MethodReads(Reads):
    """Reads the optional methods' parameters."""

    def _channel_eligibility(self, raw: Any) -> dict[Channel, Eligibility]:
        entries = self._enum_map("channel_eligibility", raw, Channel, identity, complete=False)
        found: dict[Channel, Eligibility] = {}
        for channel, entry in entries.items():
            where = f"parameters.channel_eligibility.{channel.value}"
            if not isinstance(entry, Mapping):
                self._problem("not_an_object", where)
                continue
            for key in entry:
                if key not in ELIGIBILITY_FIELDS:
                    self._problem(
                        "unknown_field", f"{where}.{key}", allowed=list(ELIGIBILITY_FIELDS)
                    )
            age = entry.get("age_under")
            low, high = AGE_LIMIT_BOUNDS
            if age is not None and (
                isinstance(age, bool) or not isinstance(age, int) or not low <= age <= high
            ):
                self._problem("age_limit", f"{where}.age_under", low=low, high=high)
                age = None
            education = entry.get("min_education")
            codes = [e.value for e in Education]
            if education is not None and education not in codes:
                self._problem("education_code", f"{where}.min_education", allowed=codes)
                education = None
            found[channel] = Eligibility(age, Education(education) if education else None)
        return found

    def _fixed_base_pay(self, raw: Any) -> dict[date, Decimal] | None:
        if raw is None:
            return None
        where = "parameters.fixed_base_pay"
        if not isinstance(raw, Mapping) or not raw:
            self._problem("fixed_base_pay", where)
            return None
        bases: dict[date, Decimal] = {}
        for day, amount in raw.items():
            try:
                bases[date.fromisoformat(day)] = self._money(f"fixed_base_pay.{day}", amount)
            except (TypeError, ValueError):
                self._problem("not_a_date", f"{where}.{day}")
        return bases or None

    def _pay_split(self, raw: Any) -> PaySplit | None:
        if raw is None:
            return None
        where = "parameters.pay_split"
        if not isinstance(raw, Mapping):
            self._problem("not_an_object", where)
            return None
        for key in raw:
            if key not in PAY_SPLIT_FIELDS:
                self._problem("unknown_field", f"{where}.{key}", allowed=list(PAY_SPLIT_FIELDS))
        if "basic_share" not in raw:
            self._problem("missing_code", f"{where}.basic_share")
        basic = self._share("pay_split.basic_share", raw.get("basic_share", "1"))
        paid = self._enum_map(
            "pay_split.performance_paid", raw.get("performance_paid"), Rating, self._share
        )
        unrated = self._share("pay_split.unrated_paid", raw.get("unrated_paid", "1"))
        return PaySplit(basic, paid, unrated)

    def _quota_formula(self, raw: Any) -> QuotaFormula | None:
        if raw is None:
            return None
        where = "parameters.quota_formula"
        if not isinstance(raw, Mapping):
            self._problem("not_an_object", where)
            return None
        method = raw.get("method")
        if method not in QUOTA_METHODS:
            self._problem("quota_method", f"{where}.method", allowed=list(QUOTA_METHODS))
            return None
        allowed = ("method", *QUOTA_FIELDS[method])
        for key in raw:
            if key not in allowed:
                self._problem("unknown_field", f"{where}.{key}", allowed=list(allowed))

        def whole(key: str, minimum: int, default: int | None = None) -> int | None:
            value = raw.get(key)
            if value is None:
                if default is None:
                    self._problem("missing_code", f"{where}.{key}")
                return default
            return self._int(f"quota_formula.{key}", value, minimum)

        if method == "committee_plus_grids":
            return QuotaFormula(
                method,
                committee_seats=whole("committee_seats", 0) or 0,
                households_per_seat=(
                    None
                    if raw.get("households_per_seat") is None
                    else whole("households_per_seat", 1)
                ),
            )
        if method == "household_bands":
            bands = self._bands(raw.get("bands"))
            beyond = raw.get("beyond")
            beyond_from = beyond_per = None
            if beyond is not None:
                if not isinstance(beyond, Mapping) or set(beyond) != {
                    "from",
                    "households_per_seat",
                }:
                    self._problem("quota_beyond", f"{where}.beyond")
                else:
                    beyond_from = self._int("quota_formula.beyond.from", beyond["from"], 0)
                    beyond_per = self._int(
                        "quota_formula.beyond.households_per_seat",
                        beyond["households_per_seat"],
                        1,
                    )
            max_seats = raw.get("max_seats")
            return QuotaFormula(
                method,
                committee_seats=whole("committee_seats", 0, 0) or 0,
                bands=bands,
                beyond_from=beyond_from,
                beyond_households_per_seat=beyond_per,
                max_seats=None if max_seats is None else whole("max_seats", 1),
            )
        if method == "per_residents":
            return QuotaFormula(
                method,
                seats_per_10000=whole("seats_per_10000", 1) or 1,
                minimum_seats=whole("minimum_seats", 0, 0) or 0,
                minimum_below_population=whole("minimum_below_population", 0, 0) or 0,
            )
        return QuotaFormula(method)

    def _bands(self, raw: Any) -> tuple[tuple[int, int], ...]:
        """``[[from households, seats], ...]``: from 0, households rising, seats not falling."""
        where = "parameters.quota_formula.bands"
        pairs = raw if isinstance(raw, list) else None
        if not pairs or not all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in p)
            for p in pairs
        ):
            self._problem("quota_bands", where)
            return ()
        bands = tuple((p[0], p[1]) for p in pairs)
        if bands[0][0] != 0 or any(b[0] <= a[0] or b[1] < a[1] for a, b in pairwise(bands)):
            self._problem("quota_bands", where)
        return bands
