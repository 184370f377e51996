"""Where a rebuild's processes spend their CPU: the derivation (``projections.rebuild._derive``)
over every aggregate in this one process, each part timed by wrapping it: reading and decoding
the events, rebuilding the aggregates, each read model's rows, the positions. The parent's COPY
and PostgreSQL are not in it (``bench/rebuild.py`` reports those).

    python bench/derive_parts.py postgresql://postgres@127.0.0.1:5432/ledger_district
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import projections.rebuild as rebuild
from ledger.runtime import build_ledger
from ledger.settings import Settings

SPENT: dict[str, float] = defaultdict(float)
clock = time.process_time


def timed(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def measured(*args: Any) -> Any:
        started = clock()
        try:
            return function(*args)
        finally:
            SPENT[part] += clock() - started

    return measured


def timed_iterator(part: str, function: Callable[..., Iterator[Any]]) -> Callable[..., Any]:
    def measured(*args: Any) -> Iterator[Any]:
        found = function(*args)
        while True:
            started = clock()
            try:
                item = next(found)
            except StopIteration:
                return
            finally:
                SPENT[part] += clock() - started
            yield item

    return measured


def main(url: str) -> None:
    ledger = build_ledger(Settings(database_url=url))
    head = ledger.recorder.max_notification_id() or 0
    schedule = ledger.schedule()
    for model in rebuild.MODELS:
        part = f"{type(model).__name__} ({model.tables[0].name})"
        model.rows = timed(part, model.rows)  # type: ignore[method-assign]
    rebuild.recorded = timed_iterator("read and decode the events", rebuild.recorded)
    rebuild.reconstruct = timed("rebuild the aggregates", rebuild.reconstruct)
    rebuild.with_positions = timed("positions", rebuild.with_positions)
    started = clock()
    events = rows = 0
    for read, found in rebuild._derive(ledger, schedule, head, None, None):
        events += read
        rows += sum(len(values) for values in found.values())
    total = clock() - started
    print(f"{events} events, {rows} rows, {total:.2f} CPU-s, {total / events * 1e6:.1f} µs/event")
    for part, seconds in sorted(SPENT.items(), key=lambda item: -item[1]):
        share, each = seconds / total * 100, seconds / events * 1e6
        print(f"  {part:45s} {seconds:6.2f} s {share:5.1f} % {each:5.1f} µs/event")
    print(f"  {'the rest (the loop, batching)':45s} {total - sum(SPENT.values()):6.2f} s")


if __name__ == "__main__":
    main(sys.argv[1])
