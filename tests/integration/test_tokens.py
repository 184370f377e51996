"""Access tokens through the ``Ledger``: expiry, revocation, listing, and tokens issued before
expiry existed (stored as version 1 of the ``Issued`` event), on every store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from domain.access import AccessToken, token_hash, token_id
from domain.errors import Forbidden, InvalidInput, NotFound, TokenAlreadyRevoked, Unauthorized
from domain.vocabulary import Role
from ledger.application import Ledger
from tests.integration.application_support import (
    ADMIN,
    as_,
    build_tree,
    event_log,
    topics_since,
)


def test_a_token_works_until_its_expiry_and_is_refused_from_then_on(ledger: Ledger) -> None:
    expiry = datetime.now(UTC) + timedelta(days=90)
    secret = ledger.create_token("临时审计", Role.AUDITOR, expires_at=expiry)

    assert ledger.authenticate(secret, now=expiry - timedelta(seconds=1)).role is Role.AUDITOR
    with pytest.raises(Unauthorized) as refusal:
        ledger.authenticate(secret, now=expiry)
    assert "expired" in refusal.value.detail


def test_a_revoked_token_is_refused_with_its_own_detail(ledger: Ledger) -> None:
    secret = ledger.create_token("王会计", Role.REPORTER)
    before = event_log(ledger)

    listed = ledger.revoke_token(token_id(secret), "left the office 调离")

    assert topics_since(ledger, before) == ["Revoked"]
    issued, revoked = ledger.events.get(token_id(secret))
    assert (issued.recorded_by, revoked.recorded_by) == ("cli", "cli")  # type: ignore[attr-defined]
    assert listed["revoked"] is True
    assert listed["revocation_reason"] == "left the office 调离"
    with pytest.raises(Unauthorized) as refusal:
        ledger.authenticate(secret)
    assert "revoked" in refusal.value.detail


def test_revoking_twice_is_refused_and_records_nothing(ledger: Ledger) -> None:
    secret = ledger.create_token("王会计", Role.REPORTER)
    ledger.revoke_token(token_id(secret), "left")
    before = event_log(ledger)

    with pytest.raises(TokenAlreadyRevoked):
        ledger.revoke_token(token_id(secret), "left again")

    assert event_log(ledger) == before


def test_revoking_an_unknown_token_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFound) as refusal:
        ledger.revoke_token(uuid4(), "lost")
    assert refusal.value.field == "token_id"


def test_the_token_list_shows_every_token_and_never_a_secret_or_its_hash(ledger: Ledger) -> None:
    expiry = datetime(2099, 1, 1, tzinfo=UTC)
    kept = ledger.create_token("区审计局", Role.AUDITOR, expires_at=expiry)
    gone = ledger.create_token("王会计", Role.REPORTER)
    ledger.revoke_token(token_id(gone), "left")

    listed = {t["name"]: t for t in ledger.tokens()}

    assert set(listed) == {"first-admin", "区审计局", "王会计"}
    assert listed["区审计局"]["expires_at"] == "2099-01-01T00:00:00+00:00"
    assert listed["区审计局"]["revoked"] is False
    assert listed["王会计"]["revoked"] is True
    assert listed["first-admin"]["expires_at"] is None
    text = json.dumps(listed, ensure_ascii=False)
    for secret in (kept, gone):
        assert secret not in text
        assert token_hash(secret) not in text


@pytest.mark.parametrize("role", [Role.CLERK, Role.AUDITOR, Role.REPORTER])
def test_only_an_admin_manages_tokens_over_the_api(ledger: Ledger, role: Role) -> None:
    unit = build_tree(ledger).district if role is Role.CLERK else None
    caller = ledger.authenticate(ledger.create_token("caller", role, unit))
    victim = token_id(ledger.create_token("victim", Role.REPORTER))
    before = event_log(ledger)

    with pytest.raises(Forbidden):
        ledger.tokens(caller)
    with pytest.raises(Forbidden):
        ledger.create_token("more", Role.ADMIN, ctx=as_(caller))
    with pytest.raises(Forbidden):
        ledger.revoke_token(victim, "mine now", ctx=as_(caller))

    assert event_log(ledger) == before
    assert len(ledger.tokens(ADMIN)) == 3


def test_an_expiry_in_the_past_is_refused_and_records_nothing(ledger: Ledger) -> None:
    before = event_log(ledger)
    with pytest.raises(InvalidInput) as refusal:
        ledger.create_token("x", Role.ADMIN, expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert refusal.value.field == "expires_at"
    assert event_log(ledger) == before


def test_a_token_issued_before_expiry_existed_still_works_and_never_expires(
    ledger: Ledger,
) -> None:
    token, secret = AccessToken.issue(name="老令牌", role=Role.AUDITOR, unit_id=None)
    (issued,) = token.collect_events()
    stored = ledger.mapper.to_stored_event(issued)
    state = json.loads(stored.state)
    # Exactly what version 1 stored: no class_version, no chain hash, no expiry.
    del state["class_version"], state["chain_hash"], state["expires_at"]
    v1 = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state, separators=(",", ":")).encode(),
    )
    ledger.recorder.insert_events([v1])

    actor = ledger.authenticate(secret, now=datetime(2199, 1, 1, tzinfo=UTC))

    assert (actor.name, actor.role) == ("老令牌", Role.AUDITOR)
    listed = {t["name"]: t for t in ledger.tokens()}
    assert listed["老令牌"]["expires_at"] is None
    ledger.revoke_token(token.id, "retired")
    with pytest.raises(Unauthorized):
        ledger.authenticate(secret)
