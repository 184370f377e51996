"""Events encrypted at rest with ``LEDGER_ENCRYPTION_KEY`` (AES-256-GCM, ADR 0009).

The event store's own cipher does the work: with ``CIPHER_TOPIC`` and
``CIPHER_KEY`` in the application's environment, eventsourcing's mapper
encrypts every event's state (every field, personal ones included) before it
is written, and decrypts and authenticates it when read. The aggregate id,
version and topic stay in clear: the store needs them to find and order events.

The key is chosen when a ledger is created: a store written with one key (or
with none) cannot be read with another, and :func:`check_readable` says so on
start-up instead of failing on the first request.
"""

from __future__ import annotations

import binascii
import os
from base64 import b64decode, b64encode

from eventsourcing.persistence import Notification

from domain.errors import InvalidInput
from ledger.application import Ledger

CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"  # the `cryptography` package's AES-GCM
KEY_BYTES = 32
FIELD = "LEDGER_ENCRYPTION_KEY"


def new_key() -> str:
    """A fresh 256-bit key, base64 encoded, for ``LEDGER_ENCRYPTION_KEY``."""
    return b64encode(os.urandom(KEY_BYTES)).decode()


def cipher_environment(key: str | None) -> dict[str, str]:
    """The event store's settings for ``key`` (none: events are stored in clear)."""
    if not key:
        return {}
    try:
        raw = b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "the encryption key is not base64: make one with 'ledger encryption-key'",
            field=FIELD,
        ) from None
    if len(raw) not in (16, 24, 32):
        raise InvalidInput(
            f"the encryption key is {len(raw)} bytes long; AES needs 16, 24 or 32 "
            "(make one with 'ledger encryption-key')",
            field=FIELD,
        )
    return {"CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": key.strip()}


def check_readable(ledger: Ledger) -> None:
    """Refuse to start on a store whose first event this ledger's key cannot read."""
    first: list[Notification] = list(ledger.recorder.select_notifications(start=None, limit=1))
    if not first:
        return
    try:
        ledger.mapper.to_domain_event(first[0])
    except Exception:
        if ledger.mapper.cipher is None:
            why = "the events are encrypted: set LEDGER_ENCRYPTION_KEY to the ledger's key"
        else:
            why = (
                "LEDGER_ENCRYPTION_KEY does not decrypt them: it is not the key this ledger "
                "was created with, or the ledger was created without encryption"
            )
        raise InvalidInput(f"cannot read the stored events: {why}", field=FIELD) from None
