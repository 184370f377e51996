"""The masking policy: what of a person's identifiers each role sees."""

from __future__ import annotations

import pytest

from api.personal import mask_id_number, redact
from domain.access import Actor
from domain.vocabulary import Role

RECORD = {
    "worker_id": "w1",
    "name": "张三",
    "birth_date": "1990-05-01",
    "id_number": "340104199005011234",
    "items": [{"data": {"id_number": "42010219800101123X", "birth_date": "1980-01-01"}}],
}


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("340104199005011234", "340***********1234"),
        ("42010219800101123X", "420***********123X"),
        ("340104900501123", "340********1123"),  # the old 15-digit cards
        ("1234567", "*******"),  # too short to keep anything
    ],
)
def test_an_id_number_keeps_its_first_three_and_last_four_characters(
    number: str, masked: str
) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_admins_and_auditors_see_everything(role: Role) -> None:
    assert redact(Actor("x", role), RECORD) == RECORD


def test_a_clerk_sees_birth_dates_and_masked_id_numbers_at_any_depth() -> None:
    shown = redact(Actor("x", Role.CLERK, unit_id=None), RECORD)

    assert shown["id_number"] == "340***********1234"
    assert shown["birth_date"] == "1990-05-01"
    assert shown["items"][0]["data"] == {
        "id_number": "420***********123X",
        "birth_date": "1980-01-01",
    }


def test_a_reporter_sees_no_identifier_beyond_the_worker_id_and_name() -> None:
    shown = redact(Actor("x", Role.REPORTER), RECORD)

    assert (shown["worker_id"], shown["name"]) == ("w1", "张三")
    assert shown["id_number"] is None and shown["birth_date"] is None
    assert shown["items"][0]["data"] == {"id_number": None, "birth_date": None}


def test_redacting_leaves_the_ledgers_answer_untouched() -> None:
    before = repr(RECORD)
    redact(Actor("x", Role.REPORTER), RECORD)
    assert repr(RECORD) == before


def test_every_role_has_a_rule_for_every_personal_field() -> None:
    from api.personal import POLICY

    for rules in POLICY.values():
        assert set(rules) == set(Role)
