"""Access tokens: an expiry fixed at issue, a revocation on record, and v1 tokens upcast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.access import AccessToken
from domain.errors import InvalidInput, TokenAlreadyRevoked
from domain.vocabulary import Role
from tests.unit.builders import new_events, refused

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def issued(expires_at: datetime | None = None) -> AccessToken:
    token, _ = AccessToken.issue(
        name="区审计局", role=Role.AUDITOR, unit_id=None, expires_at=expires_at, now=NOW
    )
    token.collect_events()
    return token


def test_a_token_without_an_expiry_never_expires() -> None:
    token = issued()

    assert token.expires_at is None
    assert not token.expired(NOW + timedelta(days=365 * 50))


def test_a_token_expires_at_its_expiry_and_not_a_moment_before() -> None:
    expiry = NOW + timedelta(days=90)
    token = issued(expiry)

    assert not token.expired(expiry - timedelta(microseconds=1))
    assert token.expired(expiry)


def test_the_expiry_is_recorded_in_utc_whatever_zone_it_was_given_in() -> None:
    beijing = timezone(timedelta(hours=8))
    token = issued(datetime(2026, 6, 1, 8, 0, tzinfo=beijing))

    assert token.expires_at == datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    assert token.expires_at is not None and token.expires_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "expiry",
    [NOW, NOW - timedelta(days=1), datetime(2027, 1, 1)],
    ids=["now", "in-the-past", "without-a-timezone"],
)
def test_an_expiry_that_is_not_a_future_moment_in_a_known_zone_is_refused(
    expiry: datetime,
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        AccessToken.issue(name="经办", role=Role.ADMIN, unit_id=None, expires_at=expiry, now=NOW)
    assert refusal.value.field == "expires_at"


def test_revoking_records_when_and_why_the_token_stopped_working() -> None:
    token = issued()

    token.revoke("laptop lost 笔记本遗失", now=NOW)

    assert new_events(token) == ["Revoked"]
    assert token.revoked
    assert token.revocation_reason == "laptop lost 笔记本遗失"
    assert token.revoked_at == NOW


def test_revoking_a_revoked_token_is_refused_and_keeps_the_first_revocation() -> None:
    token = issued()
    token.revoke("left the office")
    token.collect_events()
    first = token.revoked_at

    refused(token, lambda: token.revoke("again"), TokenAlreadyRevoked)

    assert token.revoked_at == first
    assert token.revocation_reason == "left the office"


def test_a_revocation_needs_a_reason() -> None:
    token = issued()
    error = refused(token, lambda: token.revoke("  "), InvalidInput)
    assert error.field == "reason"
