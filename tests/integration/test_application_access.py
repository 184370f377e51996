"""Who may write where, and idempotent writes, through the ``Ledger`` application.

A clerk writes only within their own unit's subtree; reporters and auditors
only read. A refused write records nothing.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.access import Actor
from domain.errors import Forbidden, IdempotencyKeyReused, QuotaExceeded, Unauthorized
from domain.vocabulary import Rating, Role, UnitKind
from ledger.application import Ledger
from tests.integration.application_support import (
    ADMIN,
    Tree,
    appraise,
    approve,
    as_,
    build_tree,
    event_log,
    hire,
    topics_since,
    transfer,
    worker_id,
)


@pytest.fixture
def tree(ledger: Ledger) -> Tree:
    return build_tree(ledger, {"street_a": 5, "street_b": 5, "community_a": 5})


def clerk_of(ledger: Ledger, unit_id: UUID) -> Actor:
    secret = ledger.create_token("clerk", Role.CLERK, unit_id)
    return ledger.authenticate(secret)


# -- clerk scope ---------------------------------------------------------------------------------


def test_a_clerk_records_facts_in_their_own_unit_and_the_units_below_it(
    ledger: Ledger, tree: Tree
) -> None:
    clerk = clerk_of(ledger, tree.street_a)
    before = event_log(ledger)

    in_street = worker_id(hire(ledger, tree.street_a, ctx=as_(clerk)))
    hire(ledger, tree.community_a, ctx=as_(clerk))
    appraise(ledger, in_street, 2021, Rating.COMPETENT, ctx=as_(clerk))

    assert topics_since(ledger, before).count("Hired") == 2
    assert topics_since(ledger, before).count("Appraised") == 1
    history = ledger.worker_history(clerk, in_street, None)
    assert {item["recorded_by"] for item in history} == {"clerk"}


def test_a_clerk_of_street_a_cannot_hire_in_street_b(ledger: Ledger, tree: Tree) -> None:
    clerk = clerk_of(ledger, tree.street_a)
    before = event_log(ledger)

    with pytest.raises(Forbidden) as refusal:
        hire(ledger, tree.street_b, ctx=as_(clerk))

    assert refusal.value.code == "forbidden"
    assert event_log(ledger) == before


def test_a_clerk_of_street_a_cannot_record_an_appraisal_for_a_worker_of_street_b(
    ledger: Ledger, tree: Tree
) -> None:
    worker = worker_id(hire(ledger, tree.street_b))
    clerk = clerk_of(ledger, tree.street_a)
    before = event_log(ledger)

    with pytest.raises(Forbidden):
        appraise(ledger, worker, 2021, Rating.EXCELLENT, ctx=as_(clerk))

    assert event_log(ledger) == before


def test_a_clerk_of_street_a_cannot_transfer_a_worker_into_street_b(
    ledger: Ledger, tree: Tree
) -> None:
    worker = worker_id(hire(ledger, tree.street_a))
    clerk = clerk_of(ledger, tree.street_a)
    before = event_log(ledger)

    with pytest.raises(Forbidden):
        transfer(ledger, worker, tree.street_b, date(2022, 1, 1), ctx=as_(clerk))

    assert event_log(ledger) == before


def test_a_clerk_of_a_community_cannot_write_in_its_parent_street(
    ledger: Ledger, tree: Tree
) -> None:
    clerk = clerk_of(ledger, tree.community_a)
    before = event_log(ledger)

    with pytest.raises(Forbidden):
        hire(ledger, tree.street_a, ctx=as_(clerk))

    assert event_log(ledger) == before


def test_a_clerk_cannot_read_a_worker_outside_their_unit(ledger: Ledger, tree: Tree) -> None:
    worker = worker_id(hire(ledger, tree.street_b))
    clerk = clerk_of(ledger, tree.street_a)

    with pytest.raises(Forbidden):
        ledger.worker_view(clerk, worker, date(2021, 6, 1), None)


def test_a_clerk_approves_quota_for_units_below_theirs_but_not_their_own(
    ledger: Ledger, tree: Tree
) -> None:
    clerk = clerk_of(ledger, tree.street_a)
    before = event_log(ledger)

    approve(ledger, tree.community_a, 7, date(2022, 1, 1), ctx=as_(clerk))
    assert topics_since(ledger, before) == ["QuotaApproved"]

    before = event_log(ledger)
    with pytest.raises(Forbidden):
        approve(ledger, tree.street_a, 99, date(2022, 1, 1), ctx=as_(clerk))
    with pytest.raises(Forbidden):
        approve(ledger, tree.street_b, 99, date(2022, 1, 1), ctx=as_(clerk))
    assert event_log(ledger) == before


def test_a_clerk_registers_units_only_below_their_own(ledger: Ledger, tree: Tree) -> None:
    clerk = clerk_of(ledger, tree.street_a)
    before = event_log(ledger)

    def register(parent: UUID) -> None:
        ledger.register_unit(
            as_(clerk),
            name="新社区",
            kind=UnitKind.URBAN_COMMUNITY,
            parent_id=parent,
            unit_class=2,
            households=None,
            population=None,
        )

    register(tree.street_a)
    assert sorted(topics_since(ledger, before)) == ["ChildRegistered", "Registered"]

    before = event_log(ledger)
    with pytest.raises(Forbidden):
        register(tree.street_b)
    with pytest.raises(Forbidden):
        ledger.register_unit(
            as_(clerk),
            name="新区",
            kind=UnitKind.DISTRICT,
            parent_id=None,
            unit_class=None,
            households=None,
            population=None,
        )
    assert event_log(ledger) == before


@pytest.mark.parametrize("role", [Role.REPORTER, Role.AUDITOR])
def test_reporters_and_auditors_cannot_write(ledger: Ledger, tree: Tree, role: Role) -> None:
    worker = worker_id(hire(ledger, tree.street_a))
    reader = ledger.authenticate(ledger.create_token(role.value, role))
    before = event_log(ledger)

    with pytest.raises(Forbidden):
        hire(ledger, tree.street_a, ctx=as_(reader))
    with pytest.raises(Forbidden):
        appraise(ledger, worker, 2021, Rating.COMPETENT, ctx=as_(reader))
    with pytest.raises(Forbidden):
        approve(ledger, tree.street_a, 9, date(2022, 1, 1), ctx=as_(reader))
    with pytest.raises(Forbidden):
        ledger.report_dispatch_headcount(as_(reader), tree.street_a, year=2021, count=10)

    assert event_log(ledger) == before
    assert ledger.worker_view(reader, worker, date(2021, 6, 1), None)["worker_id"] == str(worker)


def test_only_the_first_bootstrap_adopts_a_policy_and_issues_an_admin_token(
    ledger: Ledger,
) -> None:
    before = event_log(ledger)

    assert ledger.bootstrap("chibi-2020") is None

    assert event_log(ledger) == before
    assert not ledger.is_empty()


def test_an_unknown_token_is_unauthorized(ledger: Ledger) -> None:
    with pytest.raises(Unauthorized):
        ledger.authenticate("lgr_not-a-token")


def test_the_ledger_answers_the_whole_record_and_leaves_masking_to_the_api(
    ledger: Ledger, tree: Tree
) -> None:
    """One masking policy, in one place: api/personal.py (shown in tests/e2e)."""
    worker = worker_id(hire(ledger, tree.street_a))
    reporter = ledger.authenticate(ledger.create_token("r", Role.REPORTER))

    view = ledger.worker_view(reporter, worker, date(2021, 6, 1), None)

    assert view["id_number"] == "340104198808081234"


# -- idempotency ------------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_records_one_fact_and_answers_the_first_answer(
    ledger: Ledger, tree: Tree
) -> None:
    before = event_log(ledger)
    first = hire(ledger, tree.street_a, ctx=as_(ADMIN, key="hire-1", fingerprint="body-1"))
    after_first = event_log(ledger)

    second = hire(ledger, tree.street_a, ctx=as_(ADMIN, key="hire-1", fingerprint="body-1"))

    assert second == first
    assert event_log(ledger) == after_first
    assert topics_since(ledger, before).count("Hired") == 1
    assert ledger.quota_usage(ADMIN, tree.street_a, date(2021, 3, 1))["headcount"] == 1


def test_the_same_idempotency_key_with_another_request_is_refused_and_records_nothing(
    ledger: Ledger, tree: Tree
) -> None:
    hire(ledger, tree.street_a, ctx=as_(ADMIN, key="hire-1", fingerprint="body-1"))
    before = event_log(ledger)

    with pytest.raises(IdempotencyKeyReused) as refusal:
        hire(ledger, tree.street_b, ctx=as_(ADMIN, key="hire-1", fingerprint="body-2"))

    assert refusal.value.code == "idempotency_key_reused"
    assert event_log(ledger) == before


def test_an_idempotent_change_to_a_worker_is_recorded_once(ledger: Ledger, tree: Tree) -> None:
    worker = worker_id(hire(ledger, tree.street_a))
    ctx = as_(ADMIN, key="appraise-2021", fingerprint="competent")
    first = appraise(ledger, worker, 2021, Rating.COMPETENT, ctx=ctx)
    before = event_log(ledger)

    # Without the key this would be refused as a duplicate appraisal.
    second = appraise(ledger, worker, 2021, Rating.COMPETENT, ctx=ctx)

    assert second == first
    assert event_log(ledger) == before


def test_the_answer_is_remembered_even_when_a_later_command_makes_it_impossible(
    ledger: Ledger, tree: Tree
) -> None:
    approve(ledger, tree.street_b, 1, date(2020, 1, 1))
    ctx = as_(ADMIN, key="hire-b", fingerprint="b")
    first = hire(ledger, tree.street_b, ctx=ctx)

    # street B is now full; the retried request still gets its first answer, not a refusal
    with pytest.raises(QuotaExceeded):
        hire(ledger, tree.street_b)
    assert hire(ledger, tree.street_b, ctx=ctx) == first
