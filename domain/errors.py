"""One hierarchy of named refusals. The API maps each ``code`` to HTTP in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Self

from domain import catalogue


class LedgerError(Exception):
    """A refusal the ledger explains to the person who asked.

    Raised with a message ``key`` and its ``params`` (``because``), the detail is the
    catalogue's ``problem.detail.<key>``: English in ``detail``, any locale through
    ``detail_in``. The title of each ``code`` is ``problem.<code>.title`` in the catalogue
    (the English one is also the class's ``title``). A detail given as text stays as it is
    in every language.
    """

    code = "ledger_error"
    title = "The ledger refused the request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.key = key
        self.params: dict[str, Any] = dict(params or {})
        if detail is None:
            if key is None:
                raise TypeError("a refusal needs its detail or a message key")
            detail = catalogue.message(key, catalogue.EN, self.params)
        super().__init__(detail)
        self.detail = detail
        self.field = field

    @classmethod
    def because(cls, key: str, /, *, field: str | None = None, **params: Any) -> Self:
        """The refusal whose detail is the catalogue's ``problem.detail.<key>``."""
        return cls(key=key, field=field, params=params)

    def detail_in(self, locale: str) -> str:
        if self.key is None or locale == catalogue.EN:
            return self.detail
        return catalogue.message(self.key, locale, self.params)


class NotFound(LedgerError):
    code = "not_found"
    title = "No such record"


class InvalidInput(LedgerError):
    code = "validation_error"
    title = "The request is not valid"


class WeakPassword(InvalidInput):
    """A new password the rules refuse; ``reason`` names which rule (``too_short``,
    ``too_long``, ``is_name``, ``same``), for a message in the reader's language."""

    def __init__(self, *, reason: str, **params: Any) -> None:
        super().__init__(key=f"password_{reason}", params=params, field="new_password")
        self.reason = reason


class RuleViolation(LedgerError):
    """A rule or a conflict refused the fact: nothing was recorded."""

    code = "rule_violation"
    title = "A rule refused the fact"


class QuotaExceeded(RuleViolation):
    code = "quota_exceeded"
    title = "The unit has no free seat in its approved quota"


class NoApprovedQuota(RuleViolation):
    code = "no_approved_quota"
    title = "The unit has no approved quota on that date"


class GradeOutOfRange(RuleViolation):
    code = "grade_out_of_range"
    title = "The grade is outside the post's range"


class TimelineConflict(RuleViolation):
    code = "timeline_conflict"
    title = "The fact does not fit the worker's timeline"


class DuplicateAppraisal(RuleViolation):
    code = "duplicate_appraisal"
    title = "That year already has an appraisal"


class WorkerDismissed(RuleViolation):
    code = "worker_dismissed"
    title = "The worker is dismissed on that date"


class DispatchConversionRefused(RuleViolation):
    code = "dispatch_conversion_refused"
    title = "The dispatch conversion is not allowed"


class EducationNotHigher(RuleViolation):
    code = "education_not_higher"
    title = "The education is not an upgrade"


class PolicyOutOfOrder(RuleViolation):
    """A new policy version must take effect after every adopted one: an earlier date would
    re-order the versions and silently rewrite months already governed by another."""

    code = "policy_out_of_order"
    title = "The policy's effective date is not after the latest adopted version's"


class PolicyBreaksTimelines(RuleViolation):
    """A new version under which already recorded facts would fail the timeline check
    (a narrower grade band than a recorded grade): those workers could record nothing more."""

    code = "policy_breaks_timelines"
    title = "Recorded facts would not hold under the new policy version"


class ConcurrentModification(RuleViolation):
    code = "concurrent_modification"
    title = "Someone else changed the record at the same time"


class IdempotencyKeyReused(LedgerError):
    code = "idempotency_key_reused"
    title = "The idempotency key was used for a different request"


class Unauthorized(LedgerError):
    code = "unauthorized"
    title = "A valid bearer token is required"


class TooManyFailedAuthentications(LedgerError):
    """Too many failed authentications from one address or with one token: wait and retry."""

    code = "too_many_failed_authentications"
    title = "Too many failed authentications"

    def __init__(
        self,
        detail: str | None = None,
        *,
        retry_after_seconds: int,
        key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, key=key, params=params)
        self.retry_after_seconds = retry_after_seconds


class SignInRefused(Unauthorized):
    """A console sign-in with a wrong name or password: one answer for both, so that
    nothing tells a guesser which names exist."""

    code = "sign_in_refused"
    title = "The name or the password is not right"


class AccountLocked(TooManyFailedAuthentications):
    """Too many wrong passwords for one account: it is locked until ``locked_until``."""

    code = "account_locked"
    title = "The account is locked for a while after too many wrong passwords"

    def __init__(self, *, retry_after_seconds: int, locked_until: datetime) -> None:
        super().__init__(
            key="account_locked",
            params={"locked_until": locked_until},
            retry_after_seconds=retry_after_seconds,
        )
        self.locked_until = locked_until


class TokenAlreadyRevoked(RuleViolation):
    code = "token_already_revoked"
    title = "The token was already revoked"


class Forbidden(LedgerError):
    code = "forbidden"
    title = "Your role or unit does not allow this"


class IneligibleForChannel(RuleViolation):
    """A hire the policy's eligibility for its entry channel refuses (an age limit, a
    minimum education): the detail names the limit."""

    code = "ineligible_for_channel"
    title = "The person is not eligible for the entry channel"


class PolicyProblem(str):
    """One problem of a policy document: its English text (so it reads as a string
    wherever one is expected), with its kind, the place and the values to say it in
    another language (``policy.problem.<kind>`` in the catalogue)."""

    kind: str
    where: str
    params: Mapping[str, Any]

    def __new__(cls, kind: str, where: str = "", **params: Any) -> PolicyProblem:
        made = super().__new__(cls, catalogue.text(_key(kind), catalogue.EN, where=where, **params))
        made.kind, made.where, made.params = kind, where, params
        return made

    def text(self, locale: str) -> str:
        return catalogue.text(_key(self.kind), locale, where=self.where, **self.params)

    def __reduce__(self) -> tuple[Any, ...]:  # a copy or a pickle keeps the kind
        return (_remade, (self.kind, self.where, dict(self.params)))


def _remade(kind: str, where: str, params: dict[str, Any]) -> PolicyProblem:
    return PolicyProblem(kind, where, **params)


def _key(kind: str) -> str:
    return f"policy.problem.{kind}"


class PolicyInvalid(LedgerError):
    code = "policy_invalid"
    title = "The policy document is not valid"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)

    def in_locale(self, locale: str) -> list[str]:
        """Every problem in ``locale`` (a problem written without a kind, as written)."""
        return [p.text(locale) if isinstance(p, PolicyProblem) else p for p in self.problems]
