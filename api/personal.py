"""Who sees which personal identifiers: the one masking policy, applied to every answer.

The ledger and its read models answer whole records; this module decides, by
the caller's role, what of a person's identifiers leaves the API:

| field       | admin, auditor | clerk                  | reporter |
|-------------|----------------|------------------------|----------|
| id_number   | in full        | masked `340***...1234` | null     |
| birth_date  | yes            | yes                    | null     |

Name and worker id are shown to every role: reports are about named people.
Reporters read reports, so they get no identifier beyond those two; clerks
keep birth dates (retirement, age checks) but see ID numbers only masked.

Fields are found by name anywhere in an answer (a worker's view, the data of
a ``Hired`` fact in a history, a row of a report), so a new answer that
carries them is covered without another rule. ``tests/e2e/test_access_matrix.py``
checks every endpoint's answer for every role against this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from typing import Any

from domain.access import Actor
from domain.vocabulary import Role


class Shown(Enum):
    FULL = "full"
    MASKED = "masked"
    HIDDEN = "hidden"


POLICY: dict[str, dict[Role, Shown]] = {
    "id_number": {
        Role.ADMIN: Shown.FULL,
        Role.AUDITOR: Shown.FULL,
        Role.CLERK: Shown.MASKED,
        Role.REPORTER: Shown.HIDDEN,
    },
    "birth_date": {
        Role.ADMIN: Shown.FULL,
        Role.AUDITOR: Shown.FULL,
        Role.CLERK: Shown.FULL,
        Role.REPORTER: Shown.HIDDEN,
    },
}

KEEP_START = 3  # the province and prefecture digits: not a person, a place
KEEP_END = 4  # the check digit and the three before it, as people quote them


def mask_id_number(number: str) -> str:
    """``340104199005011234`` → ``340***********1234``: enough to tell two people
    apart on a list, not enough to be used as the number."""
    if len(number) <= KEEP_START + KEEP_END:
        return "*" * len(number)
    hidden = len(number) - KEEP_START - KEEP_END
    return number[:KEEP_START] + "*" * hidden + number[-KEEP_END:]


def _shown(field: str, value: Any, how: Shown) -> Any:
    if value is None or how is Shown.FULL:
        return value
    if how is Shown.HIDDEN:
        return None
    return mask_id_number(str(value)) if field == "id_number" else None


def sees_id_numbers(actor: Actor) -> bool:
    """Whether ``actor``'s role sees ID numbers at all (masked counts): the roles that
    may search by one (``GET /workers?q=``, the console's search)."""
    return POLICY["id_number"][actor.role] is not Shown.HIDDEN


def redact(actor: Actor, answer: Any) -> Any:
    """``answer`` with every personal field as ``actor``'s role may see it."""
    if isinstance(answer, Mapping):
        redacted = {}
        for key, value in answer.items():
            rule = POLICY.get(key)
            if rule is not None:
                redacted[key] = _shown(key, value, rule[actor.role])
            else:
                redacted[key] = redact(actor, value)
        return redacted
    if isinstance(answer, list):
        return [redact(actor, item) for item in answer]
    return answer


def redact_rows(actor: Actor, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows streamed into a CSV, one at a time."""
    for row in rows:
        yield redact(actor, row)
