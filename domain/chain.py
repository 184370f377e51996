"""The hash chain over each aggregate's recorded events (ADR 0008).

Every event an aggregate records carries ``chain_hash``: the SHA-256 of its
predecessor's ``chain_hash`` and of the event as recorded (topic, aggregate id,
version and every recorded field). Changing, removing or inserting an event
therefore changes the hashes from that point on, and ``ledger verify``
recomputes them from the stored records.

The serialisation is canonical so that the same values always give the same
bytes: at trigger time the values are the event's Python objects, at
verification time they are what the store's transcoder decoded from the stored
bytes, and both must hash alike. Dictionary keys are compared as strings (JSON
has no other kind) and tuples as lists (the transcoder turns one into the other).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

GENESIS = ""
"""The predecessor of an aggregate's first chained event."""

CHAIN_FIELD = "chain_hash"
_IDENTITY_FIELDS = ("originator_id", "originator_version", CHAIN_FIELD)


def link(
    previous: str,
    topic: str,
    originator_id: UUID | str,
    version: int,
    state: Mapping[str, Any],
) -> str:
    """The chain hash of one event: hex SHA-256 over its predecessor and itself.

    ``state`` is the event's recorded fields without ``chain_hash`` (and without
    the aggregate id and version, which are given on their own, as the store
    keeps them in columns of their own).
    """
    digest = hashlib.sha256()
    digest.update(f"{previous}\n{topic}\n{originator_id}\n{version}\n".encode())
    digest.update(canonical(state))
    return digest.hexdigest()


def recorded_state(event: object, class_version: int) -> dict[str, Any]:
    """The fields the mapper records for ``event``, as they will be stored."""
    state = {k: v for k, v in vars(event).items() if k not in _IDENTITY_FIELDS}
    if class_version > 1:  # the mapper records the class version beside the fields
        state["class_version"] = class_version
    return state


def canonical(value: Any) -> bytes:
    """Compact JSON, keys sorted, of ``value`` with its dates, ids and decimals as text."""
    if not _string_keys_only(value):
        # JSON sorts int keys as numbers but the store gives them back as strings:
        # turn them into strings first (rare, and slower), so both sort alike.
        value = _plain(value)
    return json.dumps(
        value,
        default=_scalar,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode()


_CONTAINERS = (dict, list, tuple)


def _string_keys_only(value: Any) -> bool:
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) is not str:
                return False
            if isinstance(item, _CONTAINERS) and not _string_keys_only(item):
                return False
    elif isinstance(value, (list, tuple)):
        return all(_string_keys_only(item) for item in value if isinstance(item, _CONTAINERS))
    return True


def _scalar(value: Any) -> Any:
    """JSON's fallback for the values it has no form for."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, Mapping):  # a mapping that is not a dict
        return _plain(value)
    # A value the store's transcoder could not record either: fail where it is made.
    raise TypeError(f"cannot chain a value of type {type(value).__name__}")


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return _scalar(value)
