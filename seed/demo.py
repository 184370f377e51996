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
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from domain.access import Actor
from domain.errors import RuleViolation
from domain.policy import PolicySchedule
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    Gender,
    Post,
    PostChangeReason,
    Rating,
    Role,
    UnitKind,
)
from domain.worker import Person
from ledger.application import Ledger
from ledger.commands import (
    AddCertificate,
    ApplySteps,
    Appraise,
    ChangePost,
    Context,
    CorrectAppraisal,
    Dismiss,
    Hire,
    Transfer,
    UpgradeEducation,
)

DEFAULT_WORKERS = 3000
DEFAULT_SEED = 2020
FULL_SIZE = 3000  # the worker count the district's full shape is drawn for

DISTRICT_NAME = "包河区"
QUOTA_START = date(2020, 8, 20)  # the first approvals (包编〔2020〕12号), after the policy
QUOTA_DOCUMENT = "包编〔2020〕12号"
REVIEW_DATE = date(2023, 8, 20)  # the three-yearly review
REVIEW_DOCUMENT = "包编〔2023〕9号"
TRANSITION_DATE = date(2020, 9, 1)  # staff in post when the quota system starts
FIRST_APPRAISAL_YEAR = 2021
LAST_APPRAISAL_YEAR = 2025
END_DATE = date(2026, 1, 31)  # the story ends with the 2025 appraisals recorded

# Fallback when the adopted policy gives no quota base (Baohe's bases and coefficients).
BAOHE_BASES = {
    UnitKind.STREET_OFFICE: 75,
    UnitKind.ADMINISTRATIVE_VILLAGE: 12,
    UnitKind.URBAN_COMMUNITY: 16,
    UnitKind.VILLAGE_CONVERTED_COMMUNITY: 20,
}
BAOHE_COEFFICIENTS = {1: 1.2, 2: 1.0, 3: 0.8}


@dataclass(frozen=True)
class StreetPlan:
    """A street office (街道/镇/大社区) and how many communities of each kind it has."""

    name: str
    abbreviation: str
    unit_class: int
    urban: int
    villages: int
    converted: int


# Baohe's 13 street offices (2020). Classes and community counts are chosen so that
# the computed quota (base x class coefficient) comes to the seed's district total, 3007.
STREETS: tuple[StreetPlan, ...] = (
    StreetPlan("芜湖路街道", "芜湖路", 2, 7, 1, 1),
    StreetPlan("望湖街道", "望湖", 1, 8, 1, 2),
    StreetPlan("常青街道", "常青", 2, 7, 1, 2),
    StreetPlan("骆岗街道", "骆岗", 2, 6, 1, 2),
    StreetPlan("同安街道", "同安", 2, 8, 1, 1),
    StreetPlan("烟墩街道", "烟墩", 1, 7, 1, 1),
    StreetPlan("包公街道", "包公", 3, 3, 4, 3),
    StreetPlan("义城街道", "义城", 3, 2, 3, 4),
    StreetPlan("万年埠街道", "万年埠", 2, 4, 3, 4),
    StreetPlan("大圩镇", "大圩", 3, 1, 6, 2),
    StreetPlan("淝河镇", "淝河", 3, 2, 3, 3),
    StreetPlan("滨湖世纪社区(大社区)", "滨湖", 1, 8, 1, 2),
    StreetPlan("方兴社区(大社区)", "方兴", 1, 5, 1, 3),
)

# fmt: off
URBAN_NAMES = (
    "丽水", "翠竹", "春晖", "华山", "绿园", "锦绣", "东方", "明珠", "天鹅湖", "徽州",
    "宁国", "曙光", "青年", "南湖", "金湖", "华府", "紫云", "芙蓉", "桂花园", "滨河",
    "银杏", "丽景", "怡和", "康园", "和平", "红星", "朝阳", "长青", "安居", "乐居",
    "福园", "嘉园", "湖畔", "水岸", "玉兰", "海棠", "梧桐", "蓝天", "晨光", "汇景",
    "御景", "书香", "文华", "明光", "瑞园", "鑫园", "花园", "龙川", "黄山", "九华",
    "庐州", "淮河", "长江", "繁华", "双岗", "美林", "景园", "荣城", "富康", "安和",
    "惠民", "众兴", "润安", "星海", "雨花", "清溪", "凤凰", "百合", "松林", "柏庄",
)
VILLAGE_NAMES = (
    "沿河", "新民", "卫东", "圩西", "高山", "同心", "义兴", "红光", "永和", "联合",
    "胜利", "光明", "先锋", "前进", "新河", "双墩", "马岗", "塘西", "东圩", "杨庄",
    "小王", "张洼", "黄圩", "桥头", "殷桥", "石塘", "长宁", "磨滩", "丰收", "三官",
)
CONVERTED_NAMES = (
    "小刘", "高坝", "陈村", "刘岗", "石门", "葛大店", "王卫", "周谷堆", "卫岗", "大郢",
    "马郢", "曹岗", "牛角", "长林", "平安", "花冲", "朱岗", "晓庄", "郑桥", "徐郢",
    "汪塘", "南淝", "李郢", "荷塘", "桃园", "宋岗", "童店", "方庙", "袁店", "谢岗",
    "姚公", "蔡岗", "骆湾", "岳岗",
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田"
    "董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹"
    "孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
FEMALE_CHARS = "丽娟敏静秀英慧巧美娜玉兰芳燕红霞艳婷雪琳晶颖倩洁欣怡佳悦雯璐萍琴梅"
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏飞鑫波宇浩凯健俊峰龙文博立志国建林海"
SHARED_CHARS = "华晨子思雨嘉安宁春阳云"
# Birthplaces: Hefei's districts and counties and a few other Anhui places.
REGION_CODES = (
    "340111", "340111", "340111", "340102", "340103", "340104", "340121", "340122",
    "340123", "340124", "340181", "340202", "340302", "341202", "341302", "341502",
)
# fmt: on
RETIREMENT_AGE = {Gender.MALE: 60, Gender.FEMALE: 55}
NEXT_POST = {
    Post.ASSISTANT: Post.OFFICER,
    Post.OFFICER: Post.DEPUTY_DIRECTOR,
    Post.DEPUTY_DIRECTOR: Post.DIRECTOR,
}

Progress = Callable[[int, str], None]
T = TypeVar("T")
C = TypeVar("C")


# -- what the loader keeps track of (its own shadow of the story) -----------------------
@dataclass
class DemoUnit:
    index: int
    name: str
    kind: UnitKind
    unit_class: int
    street: DemoUnit | None  # the street office a community belongs to; None for one itself
    abbreviation: str = ""
    households: int = 0
    population: int = 0
    id: UUID | None = None
    quota: int = 0
    computed_quota: int = 0
    active: list[DemoWorker] = field(default_factory=list)
    dispatch: dict[int, int] = field(default_factory=dict)
    conversions: Counter[int] = field(default_factory=Counter)

    @property
    def uid(self) -> UUID:
        assert self.id is not None  # registered before use
        return self.id

    @property
    def office(self) -> DemoUnit:
        """The street office this unit answers to (itself for a street office)."""
        return self.street or self

    @property
    def vacancy(self) -> int:
        return self.quota - len(self.active)


@dataclass
class DemoWorker:
    index: int
    person: Person
    unit: DemoUnit
    post: Post
    education: Education
    channel: Channel
    hire_date: date
    prior_service_years: int = 0
    dispatch_service_years: int = 0
    certificate: CertificateLevel | None = None
    script: str = ""  # "star" (a run of excellent years) or "failing" (two unqualified)
    script_years: tuple[int, ...] = ()
    temperament: str = "steady"
    id: UUID | None = None
    active: bool = True
    ratings: dict[int, Rating] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)

    @property
    def uid(self) -> UUID:
        assert self.id is not None  # hired before use
        return self.id

    @property
    def retirement_date(self) -> date:
        born = self.person.birth_date
        age = RETIREMENT_AGE[self.person.gender]
        try:
            birthday = born.replace(year=born.year + age)
        except ValueError:  # 29 February
            birthday = date(born.year + age, 3, 1)
        return _first_of_next_month(birthday)


@dataclass
class CohortPlan:
    """Who is hired when: the first cohort's seats by batch, and the later budgets."""

    late: int
    conversions: int
    transition: list[tuple[DemoUnit, Post]] = field(default_factory=list)
    open_2020: list[tuple[DemoUnit, Post]] = field(default_factory=list)
    open_2021: list[tuple[DemoUnit, Post]] = field(default_factory=list)


@dataclass
class DemoSummary:
    """What the demo loaded; ``counts`` are the facts recorded, by kind."""

    workers: int
    seed: int
    units: int
    approved_quota_2020: int
    approved_quota_now: int
    active_at_end: int
    commands: int
    counts: Counter[str]
    hires_by_channel: Counter[str]
    dismissals_by_reason: Counter[str]
    steps_due_at_end: int
    promotion_candidates_at_end: int
    dismissals_required_at_end: int
    unit_ids: dict[str, UUID]
    worker_ids: list[UUID]
    end_date: date = END_DATE


# -- the loader ------------------------------------------------------------------------
class DemoLoader:
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

    # -- running commands ------------------------------------------------------------
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

    # -- the story ---------------------------------------------------------------------
    def run(self) -> DemoSummary:
        self.phase = "units and quotas"
        self._register_units()
        self._approve_quotas(QUOTA_START, QUOTA_DOCUMENT, adjust=False)
        self._report_dispatch(2020)
        self._report_dispatch(2021)
        approved_2020 = sum(u.quota for u in self.units)

        plan = self._plan_cohort()
        self.phase = "2020 hires"
        self._hire_batch(plan.transition, Channel.TRANSITION, TRANSITION_DATE)
        self._hire_batch(plan.open_2020, Channel.OPEN_RECRUITMENT, date(2020, 12, 1))
        self.late_budget = plan.late
        self.conversion_budget = plan.conversions
        self.open_2021 = plan.open_2021

        for year in range(FIRST_APPRAISAL_YEAR, LAST_APPRAISAL_YEAR + 1):
            self.phase = f"{year}"
            if year >= 2022:
                self._report_dispatch(year)
            self._live_year(year)
            self.phase = f"{year} appraisals"
            self._appraise(year)

        self.progress(self.commands, "done")
        return self._summary(approved_2020)

    # -- units -------------------------------------------------------------------------
    def _register_units(self) -> None:
        # The district's shape does not vary with the seed; only the people do.
        rng = random.Random("包河区 demo district")  # noqa: S311 - not a secret
        names = {
            UnitKind.URBAN_COMMUNITY: _shuffled(rng, URBAN_NAMES),
            UnitKind.ADMINISTRATIVE_VILLAGE: _shuffled(rng, VILLAGE_NAMES),
            UnitKind.VILLAGE_CONVERTED_COMMUNITY: _shuffled(rng, CONVERTED_NAMES),
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
                    households, population = _size(rng, kind, plan.unit_class)
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

    # -- hiring ------------------------------------------------------------------------
    def _plan_cohort(self) -> CohortPlan:
        """Split the workers over the hire batches and the first cohort over the units."""
        n = self.target
        late = round(n * 0.07)
        conversions = max(1, round(n * 0.015))
        early_open = round(n * 0.12)
        transition = n - late - conversions - early_open
        capacity = sum(int(u.quota * 0.96) for u in self.units)
        first = min(transition + early_open, capacity)
        targets = _apportion(first, [int(u.quota * 0.96) for u in self.units])
        share = transition / max(1, transition + early_open)
        plan = CohortPlan(late=late + transition + early_open - first, conversions=conversions)
        for unit, target in zip(self.units, targets, strict=True):
            posts = _posts_for(unit.kind, target)
            in_post = round(target * share)
            plan.transition.extend((unit, p) for p in posts[:in_post])
            for i, post in enumerate(posts[in_post:]):
                (plan.open_2020 if i % 2 == 0 else plan.open_2021).append((unit, post))
        return plan

    def _hire_batch(self, seats: list[tuple[DemoUnit, Post]], channel: Channel, day: date) -> None:
        for unit, post in seats:
            self._hire(unit, post, channel, day)

    def _hire(self, unit: DemoUnit, post: Post, channel: Channel, day: date) -> DemoWorker | None:
        rng = self.rng
        leader = post is not Post.ASSISTANT
        gender = Gender.FEMALE if rng.random() < 0.62 else Gender.MALE
        oldest = RETIREMENT_AGE[gender] - 2
        if channel is Channel.TRANSITION:
            youngest = 30 if leader else 23
            age = int(rng.triangular(youngest, oldest if leader else min(52, oldest), 38))
            education = _pick(rng, _EDUCATION_TRANSITION)
            prior = min(age - 20, int(rng.triangular(0, 24, 7)) + (6 if leader else 0))
            dispatch = 0
        elif channel is Channel.DISPATCH_CONVERSION:
            age = rng.randint(25, 45)
            education = _pick(rng, _EDUCATION_DISPATCH)
            prior = 0
            dispatch = rng.randint(3, 9)
        else:
            age = rng.randint(22, 35)
            education = _pick(rng, _EDUCATION_OPEN)
            prior = 0
            dispatch = 0
        person = self._person(gender, age, day)
        worker = DemoWorker(
            index=len(self.workers),
            person=person,
            unit=unit,
            post=post,
            education=education,
            channel=channel,
            hire_date=day,
            prior_service_years=prior,
            dispatch_service_years=dispatch,
        )
        worker.temperament = _pick(rng, _TEMPERAMENTS)
        note = {
            Channel.TRANSITION: "员额制实施时在岗人员(老人老办法)",
            Channel.OPEN_RECRUITMENT: f"包河区{day.year}年专职社区工作者统一公开招聘",
            Channel.DISPATCH_CONVERSION: "劳务派遣人员经规范程序转岗",
        }[channel]
        result = self.ledger.hire(
            self._ctx(self._clerk(unit)),
            Hire(
                person=person,
                unit_id=unit.uid,
                post=post,
                education=education,
                channel=channel,
                hire_date=day,
                prior_service_years=prior,
                dispatch_service_years=dispatch,
                note=note,
            ),
        )
        worker.id = UUID(result["worker_id"])
        worker.view = result
        self.workers.append(worker)
        unit.active.append(worker)
        self.counts["hired"] += 1
        self.counts[f"hired_{channel.value}"] += 1
        if channel is Channel.DISPATCH_CONVERSION:
            unit.conversions[day.year] += 1
        # Some arrive with a social-work certificate already.
        roll = rng.random()
        level = None
        if roll < 0.03:
            level = CertificateLevel.SOCIAL_WORKER
        elif roll < (0.16 if channel is Channel.OPEN_RECRUITMENT else 0.10):
            level = CertificateLevel.ASSISTANT_SOCIAL_WORKER
        if level is not None:
            self._certify(worker, level, day)
        return worker

    def _person(self, gender: Gender, age: int, day: date) -> Person:
        rng = self.rng
        birth = day - timedelta(days=age * 365 + rng.randint(0, 364))
        surname = rng.choice(SURNAMES[:40]) if rng.random() < 0.7 else rng.choice(SURNAMES)
        pool = FEMALE_CHARS if gender is Gender.FEMALE else MALE_CHARS
        given = rng.choice(pool + SHARED_CHARS)
        if rng.random() < 0.7:
            given += rng.choice(pool + SHARED_CHARS)
        return Person(surname + given, gender, birth, self._id_number(birth, gender))

    def _id_number(self, birth: date, gender: Gender) -> str:
        """A well-formed resident ID number (GB 11643, ISO 7064 MOD 11-2 check digit)."""
        while True:
            order = self.rng.randrange(0, 1000)
            if (order % 2 == 1) != (gender is Gender.MALE):
                order = (order + 1) % 1000
            body = f"{self.rng.choice(REGION_CODES)}{birth:%Y%m%d}{order:03d}"
            number = body + _check_digit(body)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    # -- a year in the district -----------------------------------------------------------
    def _live_year(self, year: int) -> None:
        rng = self.rng
        actions: list[tuple[date, int, Callable[[], None]]] = []

        def at(day: date, action: Callable[[], None]) -> None:
            actions.append((day, len(actions), action))

        if year == 2021:
            at(date(2021, 3, 15), self._elections)
            at(date(2021, 7, 1), lambda: self._hire_open_2021(date(2021, 7, 1)))
        if year >= 2022:
            at(date(year, 3, 1), lambda: self._promote_candidates(date(year, 3, 1)))
            at(date(year, 7, 1), lambda: self._recruit(date(year, 7, 1), year))
        if year in (2021, 2023):
            at(date(year, 4, 1), lambda: self._convert(date(year, 4, 1), year))
        if year == 2023:
            at(REVIEW_DATE, lambda: self._approve_quotas(REVIEW_DATE, REVIEW_DOCUMENT, adjust=True))

        for worker in [w for w in self.workers if w.active]:
            retire = worker.retirement_date
            if retire.year <= year and not worker.script:
                retire = max(retire, date(year, 2, 1))
                at(retire, _bind(self._retire, worker, retire))
                continue
            day = _random_day(rng, year)
            roll = rng.random()
            if worker.script or worker.hire_date.year >= year:
                continue
            if roll < 0.012:
                at(day, _bind(self._resign, worker, day))
            elif roll < 0.027 and worker.post in (Post.ASSISTANT, Post.OFFICER):
                at(day, _bind(self._transfer, worker, day))
            elif roll < 0.033 and worker.post is Post.ASSISTANT:
                promotion = PostChangeReason.PROMOTION
                at(day, _bind(self._promote, worker, day, promotion, Post.ASSISTANT))
            elif roll < 0.036 and worker.post is Post.OFFICER:
                at(day, _bind(self._demote, worker, day))
            upgrade = _EDUCATION_UPGRADES.get(worker.education)
            if upgrade and rng.random() < upgrade[1]:
                graduation = date(year, 7, rng.randint(1, 10))
                at(graduation, _bind(self._upgrade_education, worker, upgrade[0], graduation))
            certificate = self._next_certificate(worker)
            if certificate and rng.random() < certificate[1]:
                issued = date(year, 11, rng.randint(1, 28))
                at(issued, _bind(self._certify, worker, certificate[0], issued))

        for _day, _order, action in sorted(actions, key=lambda a: (a[0], a[1])):
            action()

    def _elections(self) -> None:
        """2021 two-committee elections (村/社区"两委"换届): in some communities the chair
        steps down, the deputy is elected chair, an officer deputy and an assistant officer."""
        day = date(2021, 3, 15)
        for unit in self.units:
            if unit.street is None or self.rng.random() >= 0.3:
                continue
            by_post = {p: [w for w in unit.active if w.post is p and not w.script] for p in Post}
            if not (by_post[Post.DIRECTOR] and by_post[Post.DEPUTY_DIRECTOR]):
                continue
            director = by_post[Post.DIRECTOR][0]
            self._leave(director, day, DismissalReason.OTHER, "换届未连任", succession=False)
            chain = [(by_post[Post.DEPUTY_DIRECTOR][0], Post.DIRECTOR)]
            if by_post[Post.OFFICER]:
                chain.append((by_post[Post.OFFICER][0], Post.DEPUTY_DIRECTOR))
            if by_post[Post.ASSISTANT] and by_post[Post.OFFICER]:
                chain.append((by_post[Post.ASSISTANT][0], Post.OFFICER))
            for worker, post in chain:
                self._change_post(worker, post, day, PostChangeReason.ELECTION, "2021年换届选举")

    def _hire_open_2021(self, day: date) -> None:
        for unit, post in self.open_2021:
            if unit.vacancy > 0:
                self._hire(unit, post, Channel.OPEN_RECRUITMENT, day)
            else:
                self.late_budget += 1

    def _recruit(self, day: date, year: int) -> None:
        """Each July the district's open recruitment fills vacancies, fullest need first."""
        years_left = LAST_APPRAISAL_YEAR - year + 1
        budget = -(-self.late_budget // years_left)
        for _ in range(budget):
            candidates = [u for u in self.units if u.vacancy > 1]
            if not candidates:
                break
            unit = max(candidates, key=lambda u: (u.vacancy / u.quota, -u.index))
            self._hire(unit, Post.ASSISTANT, Channel.OPEN_RECRUITMENT, day)
            self.late_budget -= 1

    def _convert(self, day: date, year: int) -> None:
        """Dispatch conversions, within quota and 10% of the reported dispatch headcount."""
        share = 2 / 3 if year == 2021 else 1.0
        budget = round(self.conversion_budget * share)
        policy = self.schedule.on(day)
        order = sorted(self.units, key=lambda u: (-u.dispatch.get(year, 0), u.index))
        while budget > 0:
            converted = 0
            for unit in order:
                limit = policy.dispatch_conversion_limit(unit.dispatch.get(year, 0))
                if budget and unit.conversions[year] < limit and unit.vacancy > 0:
                    self._hire(unit, Post.ASSISTANT, Channel.DISPATCH_CONVERSION, day)
                    budget -= 1
                    self.conversion_budget -= 1
                    converted += 1
            if not converted:
                break
        # What could not be converted goes to open recruitment.
        if year == 2023:
            self.late_budget += self.conversion_budget
            self.conversion_budget = 0

    # -- one worker's changes -------------------------------------------------------------
    def _leave(
        self,
        worker: DemoWorker,
        day: date,
        reason: DismissalReason,
        note: str,
        *,
        succession: bool = True,
    ) -> None:
        """The worker leaves; a head who leaves is succeeded by a deputy of the same unit."""
        if not worker.active:
            return
        document = f"{worker.unit.office.abbreviation}人〔{day.year}〕{worker.index % 97 + 1}号"
        self._change(
            worker,
            f"dismissed_{reason.value}",
            self.ledger.dismiss,
            Dismiss(worker.uid, day, reason, document_ref=document, note=note),
        )
        worker.active = False
        worker.unit.active.remove(worker)
        if succession and worker.post is Post.DIRECTOR:
            deputies = [w for w in worker.unit.active if w.post is Post.DEPUTY_DIRECTOR]
            if deputies:
                # A community elects its new chair (补选); a street office appoints one.
                how = (
                    PostChangeReason.ELECTION if worker.unit.street else PostChangeReason.PROMOTION
                )
                self._change_post(deputies[0], Post.DIRECTOR, day, how, "主管出缺,递补")

    def _retire(self, worker: DemoWorker, day: date) -> None:
        self._leave(worker, day, DismissalReason.RETIREMENT, "到龄退休")

    def _resign(self, worker: DemoWorker, day: date) -> None:
        self._leave(worker, day, DismissalReason.RESIGNATION, "本人申请辞职")

    def _transfer(self, worker: DemoWorker, day: date) -> None:
        """Rotation (轮岗交流) to another unit of the same street office, within quota."""
        if not worker.active or worker.post not in (Post.ASSISTANT, Post.OFFICER):
            return
        office = worker.unit.office
        options = [
            u for u in self.units if u.office is office and u is not worker.unit and u.vacancy > 0
        ]
        if not options:
            return
        target = max(options, key=lambda u: (u.vacancy, -u.index))
        try:
            self._change(
                worker,
                "transferred",
                self.ledger.transfer,
                Transfer(worker.uid, target.uid, day, note="轮岗交流"),
            )
        except RuleViolation:  # pragma: no cover - the shadow tracks the seats exactly
            self.counts["transfer_refused"] += 1
            return
        worker.unit.active.remove(worker)
        target.active.append(worker)
        worker.unit = target

    def _change_post(
        self, worker: DemoWorker, post: Post, day: date, reason: PostChangeReason, note: str
    ) -> None:
        if not worker.active or worker.post is post:
            return
        self._change(
            worker,
            f"post_{reason.value}",
            self.ledger.change_post,
            ChangePost(worker.uid, post, day, reason, note=note),
        )
        worker.post = post

    def _promote(
        self, worker: DemoWorker, day: date, reason: PostChangeReason, only_from: Post | None = None
    ) -> None:
        higher = NEXT_POST.get(worker.post)
        if higher is not None and only_from in (None, worker.post):
            self._change_post(worker, higher, day, reason, "择优晋升")

    def _demote(self, worker: DemoWorker, day: date) -> None:
        if worker.post is Post.OFFICER:
            self._change_post(
                worker, Post.ASSISTANT, day, PostChangeReason.REASSIGNMENT, "岗位调整"
            )

    def _promote_candidates(self, day: date) -> None:
        """Priority promotion: about half of the flagged candidates are promoted in March."""
        for worker in self.workers:
            flagged = worker.active and worker.view.get("flags", {}).get("promotion_candidate")
            if flagged and self.rng.random() < 0.5:
                self._promote(worker, day, PostChangeReason.PROMOTION)

    def _upgrade_education(self, worker: DemoWorker, education: Education, day: date) -> None:
        if not worker.active or education.rank <= worker.education.rank:
            return
        self._change(
            worker,
            "education_upgraded",
            self.ledger.upgrade_education,
            UpgradeEducation(worker.uid, education, day, note="在职学历提升"),
        )
        worker.education = education

    def _next_certificate(self, worker: DemoWorker) -> tuple[CertificateLevel, float] | None:
        if worker.certificate is None:
            return CertificateLevel.ASSISTANT_SOCIAL_WORKER, 0.08
        if worker.certificate is CertificateLevel.ASSISTANT_SOCIAL_WORKER:
            return CertificateLevel.SOCIAL_WORKER, 0.10
        if worker.certificate is CertificateLevel.SOCIAL_WORKER:
            return CertificateLevel.SENIOR_SOCIAL_WORKER, 0.01
        return None

    def _certify(self, worker: DemoWorker, level: CertificateLevel, day: date) -> None:
        if not worker.active:
            return
        self._change(
            worker,
            "certificate_obtained",
            self.ledger.add_certificate,
            AddCertificate(worker.uid, level, day, note="社会工作者职业水平证书"),
        )
        worker.certificate = level

    # -- appraisals and what follows them ---------------------------------------------------
    def _cast_scripts(self) -> None:
        """Before the first appraisals, pick a few careers that make the rules fire:
        runs of three excellent years and pairs of unqualified years."""
        rng = self.rng
        pool = [
            w
            for w in self.workers
            if w.active
            and w.hire_date.year <= 2020
            and w.retirement_date.year > 2026
            and w.post is not Post.DIRECTOR
        ]
        rng.shuffle(pool)
        stars = max(3, round(len(self.workers) * 0.035))
        failing = max(4, round(len(self.workers) * 0.012))
        star_runs = ((2021, 2022, 2023), (2022, 2023, 2024), (2023, 2024, 2025))
        fail_pairs = ((2024, 2025), (2021, 2022), (2022, 2023), (2023, 2024))
        for i, worker in enumerate(pool[:stars]):
            worker.script, worker.script_years = "star", star_runs[i % 3]
        for i, worker in enumerate(pool[stars : stars + failing]):
            worker.script, worker.script_years = "failing", fail_pairs[i % 4]

    def _rating(self, worker: DemoWorker, year: int) -> Rating:
        rng = self.rng
        if worker.script == "star":
            return Rating.EXCELLENT if year in worker.script_years else Rating.COMPETENT
        if worker.script == "failing":
            if year in worker.script_years:
                return Rating.UNQUALIFIED
            return Rating.BASICALLY_COMPETENT if year > worker.script_years[0] else Rating.COMPETENT
        weights = _RATINGS[worker.temperament]
        return _pick(rng, weights)

    def _appraise(self, year: int) -> None:
        """January: record last year's appraisals, correct a few, then act on the rules."""
        if year == FIRST_APPRAISAL_YEAR:
            self._cast_scripts()
        rng = self.rng
        appraised: list[DemoWorker] = []
        for worker in self.workers:
            if not worker.active or worker.hire_date > date(year, 6, 30):
                continue
            rating = self._rating(worker, year)
            document = f"包社考〔{year + 1}〕{worker.unit.office.index + 1}号"
            command = Appraise(worker.uid, year, rating, document_ref=document)
            self._change(worker, "appraised", self.ledger.appraise, command)
            worker.ratings[year] = rating
            appraised.append(worker)

        # A few ratings are corrected after review (复核); the first stays on record.
        reviewable = [w for w in appraised if not w.script]
        corrected = rng.sample(
            reviewable, min(len(reviewable), max(1, round(len(appraised) / 180)))
        )
        for worker in sorted(corrected, key=lambda w: w.index):
            old = worker.ratings[year]
            new = {
                Rating.BASICALLY_COMPETENT: Rating.COMPETENT,
                Rating.COMPETENT: Rating.EXCELLENT,
                Rating.EXCELLENT: Rating.COMPETENT,
                Rating.UNQUALIFIED: Rating.BASICALLY_COMPETENT,
            }[old]
            correction = CorrectAppraisal(worker.uid, year, new, reason="考核结果复核更正")
            self._change(worker, "appraisal_corrected", self.ledger.correct_appraisal, correction)
            worker.ratings[year] = new

        if year == LAST_APPRAISAL_YEAR:
            return  # January 2026's dismissals and step run are left for the user
        # Two consecutive unqualified years: the contract is terminated.
        dismissal_day = date(year + 1, 1, 20)
        for worker in appraised:
            if worker.active and worker.view["flags"]["dismissal_required"]:
                self._leave(
                    worker,
                    dismissal_day,
                    DismissalReason.TWO_CONSECUTIVE_UNQUALIFIED,
                    "连续两年考核不称职,依法解除劳动合同",
                )
        # The January step run: record the three-year steps the ledger says are due.
        run_date = date(year + 1, 1, 31)
        for worker in appraised:
            if worker.active and worker.view["steps_due"]:
                steps = ApplySteps(worker.uid, run_date)
                result = self.ledger.apply_steps(self._ctx(self.rules), steps)
                self.counts["grade_stepped"] += len(worker.view["steps_due"])
                worker.view = result

    # -- the summary ------------------------------------------------------------------------
    def _summary(self, approved_2020: int) -> DemoSummary:
        active = [w for w in self.workers if w.active]
        return DemoSummary(
            workers=len(self.workers),
            seed=self.seed,
            units=len(self.units) + 1,
            approved_quota_2020=approved_2020,
            approved_quota_now=sum(u.quota for u in self.units),
            active_at_end=len(active),
            commands=self.commands,
            counts=self.counts,
            hires_by_channel=Counter(w.channel.value for w in self.workers),
            dismissals_by_reason=Counter(
                {
                    k.removeprefix("dismissed_"): v
                    for k, v in self.counts.items()
                    if k.startswith("dismissed_")
                }
            ),
            steps_due_at_end=sum(1 for w in active if w.view.get("steps_due")),
            promotion_candidates_at_end=sum(
                1 for w in active if w.view.get("flags", {}).get("promotion_candidate")
            ),
            dismissals_required_at_end=sum(
                1 for w in active if w.view.get("flags", {}).get("dismissal_required")
            ),
            unit_ids={
                **({DISTRICT_NAME: self.district_id} if self.district_id else {}),
                **{u.name: u.uid for u in self.units},
            },
            worker_ids=[w.uid for w in self.workers],
        )


def load_demo(
    ledger: Ledger,
    *,
    workers: int = DEFAULT_WORKERS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> DemoSummary:
    """Load the demo district into ``ledger`` (which must be bootstrapped)."""
    return DemoLoader(ledger, workers=workers, seed=seed, progress=progress).run()


def estimated_commands(workers: int) -> int:
    """About how many commands :func:`load_demo` runs, for a progress bar."""
    units = len(STREETS) + sum(
        max(1, round(n * min(1.0, workers / FULL_SIZE)))
        for s in STREETS
        for n in (s.urban, s.villages, s.converted)
    )
    return units * 4 + int(workers * 7.2)


# -- helpers -------------------------------------------------------------------------------
_EDUCATION_TRANSITION = {
    Education.BELOW_ASSOCIATE: 18,
    Education.ASSOCIATE: 45,
    Education.BACHELOR: 35,
    Education.MASTER: 2,
}
_EDUCATION_OPEN = {Education.ASSOCIATE: 20, Education.BACHELOR: 70, Education.MASTER: 10}
_EDUCATION_DISPATCH = {
    Education.BELOW_ASSOCIATE: 20,
    Education.ASSOCIATE: 55,
    Education.BACHELOR: 25,
}
_EDUCATION_UPGRADES = {
    Education.BELOW_ASSOCIATE: (Education.ASSOCIATE, 0.04),
    Education.ASSOCIATE: (Education.BACHELOR, 0.04),
    Education.BACHELOR: (Education.MASTER, 0.004),
}
_TEMPERAMENTS = {"steady": 80, "strong": 12, "shaky": 8}
_RATINGS: dict[str, dict[Rating, float]] = {
    "steady": {
        Rating.EXCELLENT: 10,
        Rating.COMPETENT: 86,
        Rating.BASICALLY_COMPETENT: 3.5,
        Rating.UNQUALIFIED: 0.5,
    },
    "strong": {Rating.EXCELLENT: 45, Rating.COMPETENT: 55},
    "shaky": {
        Rating.EXCELLENT: 1,
        Rating.COMPETENT: 67,
        Rating.BASICALLY_COMPETENT: 24,
        Rating.UNQUALIFIED: 8,
    },
}


def _pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _bind(function: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: function(*args)


def _shuffled(rng: random.Random, names: tuple[str, ...]) -> list[str]:
    items = list(names)
    rng.shuffle(items)
    return items


def _size(rng: random.Random, kind: UnitKind, unit_class: int) -> tuple[int, int]:
    low, high = {
        UnitKind.URBAN_COMMUNITY: (2600, 5200),
        UnitKind.ADMINISTRATIVE_VILLAGE: (700, 1600),
        UnitKind.VILLAGE_CONVERTED_COMMUNITY: (1800, 4200),
    }[kind]
    factor = {1: 1.25, 2: 1.0, 3: 0.8}[unit_class]
    households = int(rng.randint(low, high) * factor)
    return households, int(households * rng.uniform(2.5, 3.1))


def _posts_for(kind: UnitKind, seats: int) -> list[Post]:
    """The posts of a unit's first cohort: heads first, then deputies, officers, assistants."""
    if seats <= 0:
        return []
    if kind is UnitKind.STREET_OFFICE:  # heads and deputies of sections and service centres
        directors = max(seats >= 5, round(seats * 0.07))
        deputies = round(seats * 0.09)
        officers = round(seats * 0.14)
    else:  # the two committees' chair, deputies and members (only in a staffed community)
        directors = int(seats >= 3)
        deputies = (seats >= 5) + (seats >= 14)
        officers = round(seats * 0.22) if seats >= 4 else 0
    posts = (
        [Post.DIRECTOR] * directors + [Post.DEPUTY_DIRECTOR] * deputies + [Post.OFFICER] * officers
    )[:seats]
    return posts + [Post.ASSISTANT] * (seats - len(posts))


def _apportion(total: int, capacities: list[int]) -> list[int]:
    """Share ``total`` in proportion to ``capacities`` (largest remainder), capped by each."""
    whole = sum(capacities)
    if whole == 0 or total <= 0:
        return [0] * len(capacities)
    total = min(total, whole)
    exact = [total * c / whole for c in capacities]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return [min(s, c) for s, c in zip(shares, capacities, strict=True)]


def _random_day(rng: random.Random, year: int) -> date:
    """A working day between February and November (January belongs to the appraisals)."""
    return date(year, 2, 1) + timedelta(days=rng.randint(0, 300))


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _check_digit(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return "10X98765432"[total % 11]
