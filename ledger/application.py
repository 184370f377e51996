"""The service layer: one ``eventsourcing.Application`` whose ``save`` is the unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import get_topic

from domain.access import AccessToken, Actor, token_hash, token_id
from domain.directory import DIRECTORY_ID, UnitDirectory
from domain.errors import (
    ConcurrentModification,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    RuleViolation,
    Unauthorized,
)
from domain.policy import Policy, PolicySchedule, load_document
from domain.policy_book import POLICY_BOOK_ID, PolicyBook
from domain.provenance import recorded_as
from domain.rules import step_clock
from domain.unit import Unit
from domain.vocabulary import Channel, GradeChangeReason, Role, UnitKind
from domain.worker import Worker
from ledger import policies, views
from ledger.commands import Context, Hire
from ledger.idempotency import IdempotencyRecord, record_id
from ledger.transcodings import DateAsISO

A = TypeVar("A", bound=Aggregate)
Result = dict[str, Any]
MAX_ATTEMPTS = 5


class Ledger(Application[UUID]):
    """Records facts after checking them; answers questions about them."""

    name = "Ledger"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._schedule_cache: tuple[int, PolicySchedule] | None = None
        self._parents: dict[UUID, UUID | None] = {}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- bootstrap and identity ---------------------------------------------------
    def is_empty(self) -> bool:
        return not self._exists(POLICY_BOOK_ID)

    def bootstrap(self, policy: str, admin_name: str = "first-admin") -> str | None:
        """On an empty ledger: adopt the first policy and issue a first admin token.

        Both are saved together, so two processes starting at once cannot both
        bootstrap. Answers the admin token's secret, or None if not empty.
        """
        if not self.is_empty():
            return None
        document = load_document(policy)
        Policy.from_document(document)
        # Without a stated date the first policy governs from the start: a later
        # adoption with any effective date must still win from that date on.
        effective = date.fromisoformat(document.get("effective_from", "1900-01-01"))
        book = PolicyBook.open(document, effective, f"initial policy {document['id']}")
        token, secret = AccessToken.issue(name=admin_name, role=Role.ADMIN, unit_id=None)
        try:
            with recorded_as("system", "bootstrap"):
                self.save(book, token)
        except IntegrityError:
            return None
        return secret

    def create_token(
        self,
        name: str,
        role: Role,
        unit_id: UUID | None = None,
        *,
        expires_at: datetime | None = None,
        ctx: Context | None = None,
    ) -> str:
        """Issue a token and answer its secret. Without ``ctx`` it is recorded as made
        on the command line; with one, by the admin who asked over HTTP."""
        if ctx is not None:
            self._require_admin(ctx.actor, "manage access tokens")
        if unit_id is not None:
            self._get(unit_id, Unit, field="unit_id" if ctx else "unit")
        who = (ctx.actor.name, ctx.request_id) if ctx else ("cli", "tokens-create")
        with recorded_as(*who):  # around the event's creation: that is when it is stamped
            token, secret = AccessToken.issue(
                name=name, role=role, unit_id=unit_id, expires_at=expires_at
            )
            self.save(token)
        return secret

    def authenticate(self, secret: str, now: datetime | None = None) -> Actor:
        """The actor a bearer token stands for; unknown, expired and revoked tokens are
        refused with distinct details (the secret was right, so no secret leaks)."""
        try:
            token: Aggregate = self.repository.get(token_id(secret))
        except AggregateNotFoundError:
            raise Unauthorized("the bearer token is not known") from None
        if not isinstance(token, AccessToken) or token.secret_hash != token_hash(secret):
            raise Unauthorized("the bearer token is not known")
        if token.revoked:
            raise Unauthorized("the bearer token was revoked")
        if token.expired(now):
            raise Unauthorized(f"the bearer token expired at {token.expires_at:%Y-%m-%dT%H:%M:%SZ}")
        return token.actor()

    def revoke_token(self, token_ref: UUID, reason: str, ctx: Context | None = None) -> Result:
        """Revoke a token by its id (never its secret); answer its listing."""
        if ctx is not None:
            self._require_admin(ctx.actor, "manage access tokens")
        token = self._get(token_ref, AccessToken, field="token_id")
        who = (ctx.actor.name, ctx.request_id) if ctx else ("cli", "tokens-revoke")
        with recorded_as(*who):
            token.revoke(reason)
            self.save(token)
        return views.token(token)

    def tokens(self, actor: Actor | None = None) -> list[Result]:
        """Every token ever issued, oldest first, without secrets or their hashes."""
        if actor is not None:
            self._require_admin(actor, "manage access tokens")
        issued = [get_topic(AccessToken.Issued)]
        found: list[Result] = []
        start: int | None = None
        while page := self.recorder.select_notifications(start, 500, topics=issued):
            found += [views.token(self._get(UUID(str(n.originator_id)), AccessToken)) for n in page]
            start = page[-1].id + 1
        return found

    # -- policy ------------------------------------------------------------------------
    def schedule(self, known_at: datetime | None = None) -> PolicySchedule:
        if known_at is not None:
            return self.as_known(POLICY_BOOK_ID, PolicyBook, known_at).schedule()
        # One cheap query for newer adoptions instead of copying the book each time.
        cached = self._schedule_cache
        if cached is None or list(self.events.get(POLICY_BOOK_ID, gt=cached[0], limit=1)):
            book = self._get(POLICY_BOOK_ID, PolicyBook)
            self._schedule_cache = cached = (book.version, book.schedule())
        return cached[1]

    def adopt_policy(
        self,
        ctx: Context,
        document: Mapping[str, Any] | str,
        effective_date: date,
        document_ref: str,
    ) -> Result:
        """Adopt a new policy version (a document, or a shipped pack's name) from
        ``effective_date``, after every adopted version's date (ADR 11). Admins only."""

        def run() -> tuple[Result, list[Aggregate]]:
            self._require_admin(ctx.actor, "adopt a policy")
            chosen = policies.resolve(document)
            book = self._get(POLICY_BOOK_ID, PolicyBook)
            before = book.schedule().on(effective_date)
            version = book.adopt(chosen, effective_date, document_ref)
            after = book.schedule()
            if policies.narrows_a_band(before, after.on(effective_date)):
                policies.check_timelines(self.recorder, self.repository, after, effective_date)
            recorded = cast(Aggregate.Event, book.pending_events[-1]).timestamp
            answer = policies.adopted_answer(
                version, chosen, effective_date, document_ref, ctx.actor.name, recorded
            )
            return answer, [book]

        return self._command(ctx, run)

    def policy_versions(self, known_at: datetime | None = None) -> list[Result]:
        """The adopted versions in version order, as recorded by ``known_at``."""
        return policies.versions(self.events.get(POLICY_BOOK_ID), known_at)

    def policy_in_force(self, as_of: date, known_at: datetime | None = None) -> Result:
        """The version in force on ``as_of``, with its parameters, as known at ``known_at``."""
        return policies.in_force(self.events.get(POLICY_BOOK_ID), as_of, known_at)

    # -- units -------------------------------------------------------------------------
    def register_unit(
        self,
        ctx: Context,
        *,
        name: str,
        kind: UnitKind,
        parent_id: UUID | None,
        unit_class: int | None,
        households: int | None,
        population: int | None,
        note: str = "",
    ) -> Result:
        def run() -> tuple[Result, list[Aggregate]]:
            parent = self._get(parent_id, Unit, field="parent_id") if parent_id else None
            if parent is None:
                self._require_admin(ctx.actor, "register a unit without a parent")
            else:
                self._authorize_write(ctx.actor, [parent.id])
            unit = Unit.register(
                name=name,
                kind=kind,
                parent=parent,
                unit_class=unit_class,
                households=households,
                population=population,
                note=note,
            )
            if parent is not None:
                changed: list[Aggregate] = [unit, parent]
            else:
                directory = self._directory()
                directory.add_root(unit.id)
                changed = [unit, directory]
            return views.unit(unit, self.schedule(), date.today()), changed

        return self._command(ctx, run)

    def approve_quota(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        quota: int,
        effective_date: date,
        document_ref: str,
        note: str = "",
    ) -> Result:
        def run() -> tuple[Result, list[Aggregate]]:
            unit = self._get(unit_id, Unit)
            self._authorize_approval(ctx.actor, unit)
            self._require_version(ctx, unit, "unit")
            unit.approve_quota(
                quota=quota, effective_date=effective_date, document_ref=document_ref, note=note
            )
            return views.unit(unit, self.schedule(), effective_date), [unit]

        return self._command(ctx, run)

    def report_dispatch_headcount(
        self, ctx: Context, unit_id: UUID, *, year: int, count: int, note: str = ""
    ) -> Result:
        def run() -> tuple[Result, list[Aggregate]]:
            unit = self._get(unit_id, Unit)
            self._authorize_write(ctx.actor, [unit.id])
            self._require_version(ctx, unit, "unit")
            unit.report_dispatch_headcount(year=year, count=count, note=note)
            result = {"unit_id": str(unit.id), "year": year, "count": count}
            return result, [unit]

        return self._command(ctx, run)

    # -- workers -------------------------------------------------------------------------
    def hire(self, ctx: Context, cmd: Hire) -> Result:
        def run() -> tuple[Result, list[Aggregate]]:
            schedule = self.schedule()
            unit = self._get(cmd.unit_id, Unit, field="unit_id")
            self._authorize_write(ctx.actor, [unit.id])
            worker = Worker.hire(
                person=cmd.person,
                unit_id=cmd.unit_id,
                post=cmd.post,
                education=cmd.education,
                channel=cmd.channel,
                hire_date=cmd.hire_date,
                schedule=schedule,
                prior_service_years=cmd.prior_service_years,
                dispatch_service_years=cmd.dispatch_service_years,
                grade=cmd.grade,
                note=cmd.note,
            )
            conversion = cmd.hire_date.year if cmd.channel is Channel.DISPATCH_CONVERSION else None
            unit.assign_seats(
                worker_id=worker.id,
                placements=worker.state(schedule).placements,
                schedule=schedule,
                dispatch_conversion_year=conversion,
            )
            return self._worker_result(worker, schedule, cmd.hire_date), [worker, unit]

        return self._command(ctx, run)

    def change_worker(
        self,
        ctx: Context,
        worker_id: UUID,
        effective_date: date,
        change: Callable[[Worker, PolicySchedule], None],
        *,
        also_in_units: Iterable[UUID] = (),
    ) -> Result:
        """Run one change on a worker and keep the units' seats in step with it."""

        def run() -> tuple[Result, list[Aggregate]]:
            schedule = self.schedule()
            worker = self._get(worker_id, Worker)
            self._require_version(ctx, worker, "worker")
            before = worker.state(schedule)
            at_date = worker.state(schedule, effective_date)
            self._authorize_write(ctx.actor, [at_date.unit_id, *also_in_units])
            change(worker, schedule)
            after = worker.state(schedule)
            units = self._sync_seats(worker, before.placements, after.placements, schedule)
            return self._worker_result(worker, schedule, effective_date), [worker, *units]

        return self._command(ctx, run)

    def transfer(
        self, ctx: Context, worker_id: UUID, *, unit_id: UUID, effective_date: date, note: str = ""
    ) -> Result:
        """Move a worker to another unit; the caller must be allowed to write in both."""
        self._get(unit_id, Unit, field="unit_id")
        return self.change_worker(
            ctx,
            worker_id,
            effective_date,
            lambda worker, schedule: worker.transfer(
                unit_id=unit_id, effective_date=effective_date, note=note, schedule=schedule
            ),
            also_in_units=(unit_id,),
        )

    def apply_due_steps(self, ctx: Context, worker_id: UUID, as_of: date) -> Result:
        """Record every three-year step due by ``as_of`` for one worker."""

        def change(worker: Worker, schedule: PolicySchedule) -> None:
            for due in step_clock(worker.state(schedule, as_of), schedule).due:
                if due.effective_date <= as_of:
                    worker.apply_step(due, schedule)

        return self.change_worker(ctx, worker_id, as_of, change)

    def apply_listed_steps(
        self, ctx: Context, listed: Sequence[Mapping[str, Any]], as_of: date, unit_id: str | None
    ) -> Result:
        """Record the due steps of every listed worker (``worker_id``, ``effective_date``);
        answer the listed steps that were recorded.

        Each worker is its own unit of work, so one refusal (a change racing the
        batch) leaves that worker's step due and listed without undoing the rest.
        With an idempotency key the answer is kept under it like any write's.
        """

        def run() -> tuple[Result, list[Aggregate]]:
            by_worker: dict[str, list[Mapping[str, Any]]] = {}
            for item in listed:
                by_worker.setdefault(str(item["worker_id"]), []).append(item)
            applied: list[dict[str, Any]] = []
            rule = GradeChangeReason.THREE_YEAR_STEP.value
            single = replace(ctx, idempotency_key=None, if_match=None)
            for worker_id, items in by_worker.items():
                key = UUID(worker_id)
                before = self._last_version(key)
                try:
                    self.apply_due_steps(single, key, as_of)
                except RuleViolation:
                    continue
                recorded = {
                    str(getattr(e, "effective_date", ""))
                    for e in self.events.get(key, gt=before)
                    if type(e).__name__ == "GradeStepped"
                }
                applied += [{**i, "rule": rule} for i in items if i["effective_date"] in recorded]
            answer = {
                "as_of": as_of.isoformat(),
                "unit_id": unit_id,
                "applied": applied,
                "count": len(applied),
            }
            return answer, []

        if ctx.idempotency_key is None:
            return run()[0]
        return self._command(ctx, run)

    def _last_version(self, aggregate_id: UUID) -> int:
        last = list(self.events.get(aggregate_id, desc=True, limit=1))
        return int(last[0].originator_version) if last else 0

    def _sync_seats(
        self, worker: Worker, before: Iterable[Any], after: Iterable[Any], schedule: PolicySchedule
    ) -> list[Unit]:
        before, after = tuple(before), tuple(after)
        if before == after:
            return []
        changed = []
        for unit_id in sorted({p.unit_id for p in (*before, *after)}):
            mine_before = [p for p in before if p.unit_id == unit_id]
            mine_after = [p for p in after if p.unit_id == unit_id]
            if mine_before == mine_after:
                continue
            unit = self._get(unit_id, Unit, field="unit_id")
            unit.assign_seats(worker_id=worker.id, placements=mine_after, schedule=schedule)
            changed.append(unit)
        return changed

    def _worker_result(self, worker: Worker, schedule: PolicySchedule, as_of: date) -> Result:
        return views.worker(worker, schedule, as_of, known_at=None)

    # -- queries ----------------------------------------------------------------------------
    def worker_view(
        self, actor: Actor, worker_id: UUID, as_of: date, known_at: datetime | None
    ) -> Result:
        worker = self._load(worker_id, Worker, known_at)
        schedule = self.schedule(known_at)
        self._authorize_read(actor, [worker.state(schedule, as_of).unit_id])
        # Whole: what of the person each role may see is the API's to decide (api/personal.py).
        return views.worker(worker, schedule, as_of, known_at=known_at)

    def worker_history(
        self, actor: Actor, worker_id: UUID, known_at: datetime | None
    ) -> list[Result]:
        worker = self._load(worker_id, Worker, known_at)
        self._authorize_read(actor, [p.unit_id for p in worker.state(self.schedule()).placements])
        events = [
            e
            for e in self.events.get(worker_id)
            if known_at is None or _recorded_at(e) <= known_at
        ]
        return views.history(events)

    def list_units(self, actor: Actor, parent_id: UUID | None) -> list[Result]:
        """The top-level units, or the children of ``parent_id``, in registration order."""
        if parent_id is None:
            ids = self._directory().roots
        else:
            parent = self._get(parent_id, Unit, field="parent_id")
            self._authorize_read(actor, [parent.id])
            ids = parent.children
        units = [self._get(unit_id, Unit) for unit_id in ids]
        if actor.is_scoped and actor.unit_id and parent_id is None:
            units = [self._get(actor.unit_id, Unit)]  # a clerk's tree starts at their unit
        return [views.unit_summary(u) for u in units]

    def _directory(self) -> UnitDirectory:
        try:
            return self._get(DIRECTORY_ID, UnitDirectory)
        except NotFound:
            return UnitDirectory()  # the first top-level unit opens it

    def unit_view(self, actor: Actor, unit_id: UUID, as_of: date) -> Result:
        unit = self._get(unit_id, Unit)
        self._authorize_read(actor, [unit.id])
        return views.unit(unit, self.schedule(), as_of)

    def quota_usage(self, actor: Actor, unit_id: UUID, as_of: date) -> Result:
        unit = self._get(unit_id, Unit)
        self._authorize_read(actor, [unit.id])
        schedule = self.schedule()
        subtree = list(self._subtree(unit))
        posts = views.posts_on(
            (self._get(w, Worker) for w in unit.occupants_on(as_of)), schedule, as_of
        )
        return views.quota_usage(unit, subtree, posts, as_of)

    def _subtree(self, unit: Unit) -> Iterable[Unit]:
        yield unit
        for child_id in unit.children:
            yield from self._subtree(self._get(child_id, Unit))

    # -- authorization ----------------------------------------------------------------------
    def _require_admin(self, actor: Actor, what: str) -> None:
        if actor.role is not Role.ADMIN:
            raise Forbidden(f"only an admin may {what}")

    def _authorize_write(self, actor: Actor, unit_ids: Iterable[UUID]) -> None:
        if not actor.can_write:
            raise Forbidden(f"a {actor.role.value} may only read")
        self._authorize_scope(actor, unit_ids, "write")

    def _authorize_read(self, actor: Actor, unit_ids: Iterable[UUID]) -> None:
        self._authorize_scope(actor, unit_ids, "read")

    def _authorize_scope(self, actor: Actor, unit_ids: Iterable[UUID], what: str) -> None:
        if not actor.is_scoped:
            return
        for unit_id in unit_ids:
            actor.require_within(self._ancestry(unit_id), what)

    def _authorize_approval(self, actor: Actor, unit: Unit) -> None:
        """Quotas are approved from above: a clerk approves only units below their own."""
        self._authorize_write(actor, [unit.id])
        if actor.is_scoped and unit.id == actor.unit_id:
            raise Forbidden("a unit's quota is approved by a unit above it")

    def _ancestry(self, unit_id: UUID) -> list[UUID]:
        chain: list[UUID] = []
        current: UUID | None = unit_id
        while current is not None:
            chain.append(current)
            if current not in self._parents:  # parents never change, so cache them
                self._parents[current] = self._get(current, Unit).parent_id
            current = self._parents[current]
        return chain

    def _require_version(self, ctx: Context, aggregate: Aggregate, what: str) -> None:
        """If-Match: refuse a change decided on a version that is no longer the latest."""
        if ctx.if_match is not None and aggregate.version not in ctx.if_match:
            asked = ", ".join(str(v) for v in sorted(ctx.if_match))
            raise ConcurrentModification(
                f"the {what} is at version {aggregate.version}, not {asked}: someone changed "
                "it since you read it; read it again and decide",
                field="If-Match",
            )

    # -- loading and saving -------------------------------------------------------------------
    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(list(self.events.get(aggregate_id, limit=1)))

    def _get(self, aggregate_id: UUID, cls: type[A], *, field: str | None = None) -> A:
        aggregate: Aggregate | None
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {cls.__name__.lower()} {aggregate_id}", field=field)
        return aggregate

    def as_known(self, aggregate_id: UUID, cls: type[A], known_at: datetime) -> A:
        """The aggregate as the ledger knew it at ``known_at`` (recorded time)."""
        version = None
        for stored in self.events.get(aggregate_id):
            if _recorded_at(stored) > known_at:
                break
            version = stored.originator_version
        if version is None:
            raise NotFound(f"no {cls.__name__.lower()} {aggregate_id} was known at {known_at}")
        aggregate: Aggregate = self.repository.get(aggregate_id, version=version)
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {cls.__name__.lower()} {aggregate_id}")
        return aggregate

    def _load(self, aggregate_id: UUID, cls: type[A], known_at: datetime | None) -> A:
        if known_at is None:
            return self._get(aggregate_id, cls)
        return self.as_known(aggregate_id, cls, known_at)

    def _command(self, ctx: Context, run: Callable[[], tuple[Result, list[Aggregate]]]) -> Result:
        """Check, record and answer; on a conflicting save, check again from fresh state.

        A conflict means another writer changed one of the aggregates (a
        racing hire took the unit's last seat, say): re-running the command
        against the new state gives the right answer, often a refusal.
        """
        for _ in range(MAX_ATTEMPTS):
            if ctx.idempotency_key:
                earlier = self._earlier_answer(ctx, ctx.idempotency_key)
                if earlier is not None:
                    return earlier
            with recorded_as(ctx.actor.name, ctx.request_id):
                result, changed = run()
                if ctx.idempotency_key:
                    changed.append(
                        IdempotencyRecord(
                            actor=ctx.actor.identity,
                            key=ctx.idempotency_key,
                            fingerprint=ctx.fingerprint,
                            result=result,
                        )
                    )
            try:
                self.save(*changed)
            except IntegrityError:
                continue
            return result
        raise ConcurrentModification(
            f"the record kept changing under {MAX_ATTEMPTS} attempts; try again"
        )

    def _earlier_answer(self, ctx: Context, key: str) -> Result | None:
        try:
            record: Aggregate = self.repository.get(record_id(ctx.actor.identity, key))
        except AggregateNotFoundError:
            return None
        if not isinstance(record, IdempotencyRecord):
            return None
        if record.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was first used with a different request",
                field="Idempotency-Key",
            )
        return dict(record.result)


def _recorded_at(event: object) -> datetime:
    """When the ledger recorded ``event``: the library's protocol type does not declare it."""
    return cast(Aggregate.Event, event).timestamp
