"""Failed authentications, counted per client address and per presented token, in this process.

Only failures are slowed: a valid token is looked up and let through whatever the
counts (``api.deps.get_actor``), so a colleague's typos behind the same address never
lock out a working program. The counts decide whether a failure answers 401 or 429.

A token secret has 256 random bits, so guessing is hopeless anyway; the limit
is there so that a script hammering the API with a stolen, expired or revoked
token, or with made-up ones, is slowed to a trickle and shows up as 429s in
the logs instead of burning the store's time on lookups.

Counting is in memory and per process: behind a load balancer with several
API processes each counts on its own, so an address gets up to ``limit`` ×
processes failures per window. That is the documented trade-off
(docs/api.md): keeping the counts in the store would make every failure a
write, which is exactly what an attacker would like.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from domain.errors import TooManyFailedAuthentications

DEFAULT_LIMIT = 10
DEFAULT_WINDOW_SECONDS = 60.0
DEFAULT_MAX_KEYS = 10_000


class FailedAuthentications:
    """A sliding window of failure times per key (an address, a token id).

    Memory is bounded: at most ``max_keys`` keys, each holding at most ``limit``
    times; the least recently failed key is forgotten first. ``limit`` 0 turns
    the limit off.
    """

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        *,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # sync endpoints run on a thread pool

    def check(self, *keys: str) -> None:
        """Refuse a failed attempt with 429 when one of its keys failed too often."""
        if self.limit <= 0:
            return
        now = self._clock()
        with self._lock:
            wait = max((self._wait(key, now) for key in keys), default=0.0)
        if wait > 0:
            raise TooManyFailedAuthentications(
                key="too_many_failed",
                params={"seconds": math.ceil(wait)},
                retry_after_seconds=max(1, math.ceil(wait)),
            )

    def failed(self, *keys: str) -> None:
        if self.limit <= 0:
            return
        now = self._clock()
        with self._lock:
            for key in keys:
                times = self._failures.pop(key, None) or deque(maxlen=self.limit)
                times.append(now)
                self._failures[key] = times  # most recently failed last
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def _wait(self, key: str, now: float) -> float:
        times = self._failures.get(key)
        if times is None:
            return 0.0
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0.0
        if len(times) < self.limit:
            return 0.0
        return times[0] + self.window - now

    def __len__(self) -> int:
        return len(self._failures)
