"""The loader's base: running commands as the district's actors; the units and quotas."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from domain.access import Actor
from domain.policy import PolicySchedule
from domain.vocabulary import Post, Role, UnitKind
from ledger.application import Ledger
from ledger.commands import Context
from seed.demo.draws import shuffled, size_of
from seed.demo.records import DemoUnit, DemoWorker, Progress
from seed.demo.shape import (
    BAOHE_BASES,
    BAOHE_COEFFICIENTS,
    CONVERTED_NAMES,
    DEFAULT_SEED,
    DEFAULT_WORKERS,
    DISTRICT_NAME,
    FULL_SIZE,
    STREETS,
    URBAN_NAMES,
    VILLAGE_NAMES,
    StreetPlan,
)

C = TypeVar("C")


class DistrictLoader:
    """Runs commands as the district's actors, counting them; registers the units."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        workers: int = DEFAULT_WORKERS,
        seed: int = DEFAULT_SEED,
        progress: Progress | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("the demo needs at least one worker")
        self.ledger = ledger
        self.target = workers
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - made-up people, not secrets
        self.progress = progress or (lambda _n, _what: None)
        self.scale = min(1.0, workers / FULL_SIZE)
        self.units: list[DemoUnit] = []
        self.workers: list[DemoWorker] = []
        self.counts: Counter[str] = Counter()
        self.commands = 0
        self.id_numbers: set[str] = set()
        self.office = Actor("区委编办", Role.ADMIN)
        self.rules = Actor("system", Role.ADMIN)
        self.phase = ""
        self.district_id: UUID | None = None
        self.late_budget = 0
        self.conversion_budget = 0
        self.open_2021: list[tuple[DemoUnit, Post]] = []

    def _ctx(self, actor: Actor) -> Context:
        self.commands += 1
        if self.commands % 50 == 0:
            self.progress(self.commands, self.phase)
        return Context(actor, f"demo-{self.seed}-{self.commands:06d}")

    def _clerk(self, unit: DemoUnit) -> Actor:
        office = unit.office
        return Actor(f"{office.abbreviation}人事经办", Role.CLERK, office.uid)

    def _change(
        self,
        worker: DemoWorker,
        what: str,
        use_case: Callable[[Context, C], dict[str, Any]],
        command: C,
        *,
        actor: Actor | None = None,
    ) -> dict[str, Any]:
        """Record one change through its use case, as the demo's clerk of the unit."""
        result = use_case(self._ctx(actor or self._clerk(worker.unit)), command)
        worker.view = result
        self.counts[what] += 1
        return result

    @property
    def schedule(self) -> PolicySchedule:
        return self.ledger.schedule()

    def _register_units(self) -> None:
        # The district's shape does not vary with the seed; only the people do.
        rng = random.Random("包河区 demo district")  # noqa: S311 - not a secret
        names = {
            UnitKind.URBAN_COMMUNITY: shuffled(rng, URBAN_NAMES),
            UnitKind.ADMINISTRATIVE_VILLAGE: shuffled(rng, VILLAGE_NAMES),
            UnitKind.VILLAGE_CONVERTED_COMMUNITY: shuffled(rng, CONVERTED_NAMES),
        }
        suffix = {
            UnitKind.URBAN_COMMUNITY: "社区",
            UnitKind.ADMINISTRATIVE_VILLAGE: "村",
            UnitKind.VILLAGE_CONVERTED_COMMUNITY: "社区",
        }
        plans: list[tuple[StreetPlan, list[DemoUnit]]] = []
        for plan in STREETS:
            street = DemoUnit(
                len(self.units),
                plan.name,
                UnitKind.STREET_OFFICE,
                plan.unit_class,
                None,
                abbreviation=plan.abbreviation,
            )
            self.units.append(street)
            communities = []
            for kind, full in (
                (UnitKind.URBAN_COMMUNITY, plan.urban),
                (UnitKind.ADMINISTRATIVE_VILLAGE, plan.villages),
                (UnitKind.VILLAGE_CONVERTED_COMMUNITY, plan.converted),
            ):
                for _ in range(max(1, round(full * self.scale))):
                    households, population = size_of(rng, kind, plan.unit_class)
                    unit = DemoUnit(
                        len(self.units),
                        names[kind].pop() + suffix[kind],
                        kind,
                        plan.unit_class,
                        street,
                        households=households,
                        population=population,
                    )
                    self.units.append(unit)
                    communities.append(unit)
            street.households = sum(c.households for c in communities)
            street.population = sum(c.population for c in communities)
            plans.append((plan, communities))

        ctx = self._ctx(self.office)
        district = self.ledger.register_unit(
            ctx,
            name=DISTRICT_NAME,
            kind=UnitKind.DISTRICT,
            parent_id=None,
            unit_class=None,
            households=sum(u.households for u in self.units if u.street is None),
            population=sum(u.population for u in self.units if u.street is None),
            note="合肥市包河区 (demo)",
        )
        self.district_id = UUID(district["unit_id"])
        self.counts["unit_registered"] += 1
        for unit in self.units:
            parent = unit.street.uid if unit.street else self.district_id
            result = self.ledger.register_unit(
                self._ctx(self.office),
                name=unit.name,
                kind=unit.kind,
                parent_id=parent,
                unit_class=unit.unit_class,
                households=unit.households,
                population=unit.population,
            )
            unit.id = UUID(result["unit_id"])
            self.counts["unit_registered"] += 1

    def _computed_quota(self, unit: DemoUnit, day: date) -> int:
        computed = self.schedule.on(day).computed_quota(unit.kind, unit.unit_class)
        if computed is None:
            value = BAOHE_BASES[unit.kind] * BAOHE_COEFFICIENTS[unit.unit_class]
            computed = int(value + 0.5)
        return computed

    def _approve_quotas(self, day: date, document: str, *, adjust: bool) -> None:
        """Approve every unit's quota; at the review, adjust a few for growth or shrinkage."""
        for unit in self.units:
            quota = unit.computed_quota = self._computed_quota(unit, day)
            note = "按基数×调整系数核定" if not adjust else "三年一核定:维持"
            if adjust:  # growing urban communities gain two seats, a few villages lose one
                roll = self.rng.random()
                if unit.kind is UnitKind.URBAN_COMMUNITY and roll < 0.12:
                    quota, note = quota + 2, "三年一核定:服务人口增长,增核2名"
                elif (
                    unit.kind is UnitKind.ADMINISTRATIVE_VILLAGE
                    and roll < 0.15
                    and unit.vacancy >= 2
                ):
                    quota, note = quota - 1, "三年一核定:职能调整,核减1名"
            self.ledger.approve_quota(
                self._ctx(self.office),
                unit.uid,
                quota=quota,
                effective_date=day,
                document_ref=document,
                note=note,
            )
            unit.quota = quota
            self.counts["quota_approved"] += 1

    def _report_dispatch(self, year: int) -> None:
        """Each January, units with labour-dispatch staff report their headcount."""
        for unit in self.units:
            if unit.kind is UnitKind.STREET_OFFICE:
                count = self.rng.randint(18, 60)
            elif self.rng.random() < 0.35:
                count = self.rng.randint(3, 16)
            else:
                continue
            self.ledger.report_dispatch_headcount(
                self._ctx(self._clerk(unit)),
                unit.uid,
                year=year,
                count=count,
            )
            unit.dispatch[year] = count
            self.counts["dispatch_headcount_reported"] += 1
