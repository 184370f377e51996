"""Password hashes: Argon2id through argon2-cffi (the reference implementation's binding).

``verify`` compares in constant time (the library's); ``verify_nothing`` spends the
same work on a name with no account, so the answer's timing tells nothing about
which names exist. It sits beside the use cases rather than in ``adapters/``, whose
modules import the application: the use cases import it directly.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    """Hash and verify with Argon2id. ``time_cost``/``memory_cost`` default to the library's
    (RFC 9106's second recommended profile); tests may pass cheaper ones."""

    def __init__(self, *, time_cost: int | None = None, memory_cost: int | None = None) -> None:
        options: dict[str, Any] = {}
        if time_cost is not None:
            options["time_cost"] = time_cost
        if memory_cost is not None:
            options["memory_cost"] = memory_cost
        self._hasher = PasswordHasher(**options)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def verify_nothing(self, password: str) -> bool:
        """The cost of a verification, for a name without an account; always False."""
        self.verify(self._decoy, password)
        return False

    @cached_property
    def _decoy(self) -> str:
        return self._hasher.hash(secrets.token_urlsafe(16))
