"""Work split over child processes: a child that dies without a word fails the work
instead of leaving the parent (a request, a rebuild) waiting for it for ever."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from projections.processes import in_processes


class _DiesAtOnce:
    """The second range's child ends as the OOM killer would end it: no message at all."""

    def __call__(self, index: int, lo: UUID | None, hi: UUID | None) -> Iterator[int]:
        if index == 1:
            os._exit(3)
        yield index


def _refuse() -> Any:
    raise ValueError("this work cannot be rebuilt in another process")


class _CannotArrive:
    """Pickles, but fails to unpickle: a child from the fork server dies before its work
    begins (as when the server's code and the parent's differ)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_refuse, ())

    def __call__(self, index: int, lo: UUID | None, hi: UUID | None) -> Iterator[int]:
        yield index


@pytest.mark.timeout(60)
def test_a_child_killed_without_a_word_fails_the_work_instead_of_hanging_it() -> None:
    with pytest.raises(RuntimeError, match="ended without its answer \\(exit code 3\\)"):
        list(in_processes(_DiesAtOnce(), 2, name="test"))


@pytest.mark.timeout(60)
def test_a_child_whose_work_cannot_arrive_fails_the_work_instead_of_hanging_it() -> None:
    with pytest.raises(RuntimeError, match="a test process ended without its answer"):
        list(in_processes(_CannotArrive(), 2, name="test", method="forkserver"))


@pytest.mark.timeout(60)
def test_children_that_finish_answer_every_message() -> None:
    assert sorted(in_processes(_Answers(), 3, name="test")) == [0, 1, 2, 10, 11, 12]


class _Answers:
    def __call__(self, index: int, lo: UUID | None, hi: UUID | None) -> Iterator[int]:
        yield index
        yield 10 + index
