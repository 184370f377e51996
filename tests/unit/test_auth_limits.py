"""The failed-authentication window: per key, sliding, bounded in memory."""

from __future__ import annotations

import pytest

from api.auth_limits import FailedAuthentications
from domain.errors import TooManyFailedAuthentications


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limits(limit: int = 3, *, max_keys: int = 100) -> tuple[FailedAuthentications, Clock]:
    clock = Clock()
    return FailedAuthentications(limit, 60.0, max_keys=max_keys, clock=clock), clock


def test_a_key_is_refused_once_it_reaches_the_limit_within_the_window() -> None:
    window, clock = limits(3)
    for _ in range(2):
        window.failed("address:1.2.3.4")
    window.check("address:1.2.3.4")  # two failures: still allowed

    clock.now += 10
    window.failed("address:1.2.3.4")

    with pytest.raises(TooManyFailedAuthentications) as refusal:
        window.check("address:1.2.3.4")
    assert refusal.value.code == "too_many_failed_authentications"
    assert refusal.value.retry_after_seconds == 50  # the first failure leaves the window then


def test_a_refused_key_is_allowed_again_when_its_oldest_failure_leaves_the_window() -> None:
    window, clock = limits(3)
    for _ in range(3):
        window.failed("k")
    clock.now += 60

    window.check("k")
    assert len(window) == 0  # an expired key is forgotten


def test_keys_are_counted_separately_and_any_one_over_the_limit_refuses() -> None:
    window, _ = limits(2)
    window.failed("address:a", "token:t")
    window.failed("address:b", "token:t")

    window.check("address:a")
    window.check("address:b")
    with pytest.raises(TooManyFailedAuthentications):
        window.check("address:c", "token:t")


def test_memory_is_bounded_by_forgetting_the_least_recently_failed_key() -> None:
    window, _ = limits(1, max_keys=3)
    for key in ("a", "b", "c", "d"):
        window.failed(key)

    assert len(window) == 3
    window.check("a")  # forgotten
    with pytest.raises(TooManyFailedAuthentications):
        window.check("d")


def test_each_key_keeps_at_most_limit_times() -> None:
    window, _ = limits(3)
    for _ in range(1000):
        window.failed("k")
    assert len(window._failures["k"]) == 3


def test_a_limit_of_zero_turns_the_limit_off() -> None:
    window, _ = limits(0)
    for _ in range(100):
        window.failed("k")
    window.check("k")
    assert len(window) == 0
