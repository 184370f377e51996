"""The policy book (adopted versions with effective dates) and access tokens."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.access import AccessToken, token_hash, token_id
from domain.errors import InvalidInput, PolicyInvalid
from domain.pay import pay_for_month
from domain.policy_book import POLICY_BOOK_ID, PolicyBook
from domain.vocabulary import Role
from tests.unit.builders import document, hire, new_events, refused


def opened() -> PolicyBook:
    book = PolicyBook.open(document(), date(2020, 1, 1), "包政〔2020〕1号")
    book.collect_events()
    return book


def raised_wage_document() -> dict:  # type: ignore[type-arg]
    doc = document()
    doc["id"] = "chibi-2023"
    doc["parameters"]["average_wages"]["value"] = {"2019": "39300", "2022": "48000"}
    return doc


def test_opening_the_book_adopts_version_1_at_the_fixed_book_id() -> None:
    book = PolicyBook.open(document(), date(2020, 1, 1), "包政〔2020〕1号")

    assert new_events(book) == ["Opened", "PolicyAdopted"]
    assert book.id == POLICY_BOOK_ID
    assert [(v.version, v.effective_date) for v in book.versions] == [(1, date(2020, 1, 1))]


def test_adopting_a_policy_adds_the_next_version_from_its_effective_date() -> None:
    book = opened()

    version = book.adopt(raised_wage_document(), date(2023, 1, 1), "包政〔2023〕5号")

    assert version == 2
    assert new_events(book) == ["PolicyAdopted"]
    schedule = book.schedule()
    assert schedule.version_on(date(2022, 12, 31)).version == 1
    assert schedule.version_on(date(2023, 1, 1)).version == 2
    assert schedule.version_on(date(2023, 1, 1)).document_ref == "包政〔2023〕5号"


def test_pay_follows_the_adopted_version_in_force_each_month() -> None:
    book = opened()
    book.adopt(raised_wage_document(), date(2023, 1, 1), "包政〔2023〕5号")
    schedule = book.schedule()
    worker = hire(grade=1, hire_date=date(2021, 1, 1), sched=schedule)

    december = pay_for_month(worker.facts, schedule, "2022-12")
    january = pay_for_month(worker.facts, schedule, "2023-01")

    assert december is not None and january is not None
    assert december.total == Decimal("2620.00")
    assert january.total == Decimal("3200.00")  # 0.8 x 48 000 / 12
    assert (december.policy_version, january.policy_version) == (1, 2)


def test_an_invalid_policy_is_not_adopted() -> None:
    book = opened()
    doc = document()
    del doc["parameters"]["step_years"]

    refused(book, lambda: book.adopt(doc, date(2023, 1, 1), "包政〔2023〕5号"), PolicyInvalid)
    assert len(book.versions) == 1


def test_an_adoption_needs_its_document_reference() -> None:
    book = opened()
    refused(book, lambda: book.adopt(document(), date(2023, 1, 1), "  "), InvalidInput)


def test_a_draft_policy_recomputes_pay_over_the_recorded_facts_without_recording_anything() -> None:
    book = opened()
    adopted = book.schedule()
    worker = hire(grade=1, hire_date=date(2021, 1, 1), sched=adopted)
    draft = opened()
    draft.adopt(raised_wage_document(), date(2021, 1, 1), "draft")

    under_adopted = pay_for_month(worker.facts, adopted, "2023-01")
    under_draft = pay_for_month(worker.facts, draft.schedule(), "2023-01")

    assert under_adopted is not None and under_draft is not None
    assert under_draft.total - under_adopted.total == Decimal("3200.00") - Decimal("2620.00")
    assert worker.collect_events() == []
    assert book.collect_events() == []


# -- access tokens ---------------------------------------------------------------------------------


def test_a_token_secret_is_shown_once_and_only_its_hash_is_stored() -> None:
    token, secret = AccessToken.issue(name="望湖街道经办", role=Role.CLERK, unit_id=uuid4())

    assert secret.startswith("lgr_")
    assert token.secret_hash == token_hash(secret)
    assert secret not in repr(vars(token))
    assert token.id == token_id(secret)
    assert token.actor().role is Role.CLERK


def test_a_clerk_token_needs_the_unit_it_works_for() -> None:
    with pytest.raises(InvalidInput):
        AccessToken.issue(name="经办", role=Role.CLERK, unit_id=None)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.REPORTER])
def test_only_admins_and_clerks_may_write(role: Role) -> None:
    token, _ = AccessToken.issue(name=role.value, role=role, unit_id=None)
    assert token.actor().can_write is (role is Role.ADMIN)


def test_a_token_needs_a_name() -> None:
    with pytest.raises(InvalidInput):
        AccessToken.issue(name=" ", role=Role.ADMIN, unit_id=None)
