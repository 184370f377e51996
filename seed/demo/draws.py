"""Small pure helpers of the demo: weighted picks, sizes, posts, shares, dates, ID digits."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any, TypeVar

from domain.vocabulary import Post, UnitKind

T = TypeVar("T")


def pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def bind(function: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: function(*args)


def shuffled(rng: random.Random, names: tuple[str, ...]) -> list[str]:
    items = list(names)
    rng.shuffle(items)
    return items


def size_of(rng: random.Random, kind: UnitKind, unit_class: int) -> tuple[int, int]:
    low, high = {
        UnitKind.URBAN_COMMUNITY: (2600, 5200),
        UnitKind.ADMINISTRATIVE_VILLAGE: (700, 1600),
        UnitKind.VILLAGE_CONVERTED_COMMUNITY: (1800, 4200),
    }[kind]
    factor = {1: 1.25, 2: 1.0, 3: 0.8}[unit_class]
    households = int(rng.randint(low, high) * factor)
    return households, int(households * rng.uniform(2.5, 3.1))


def posts_for(kind: UnitKind, seats: int) -> list[Post]:
    """The posts of a unit's first cohort: heads first, then deputies, officers, assistants."""
    if seats <= 0:
        return []
    if kind is UnitKind.STREET_OFFICE:  # heads and deputies of sections and service centres
        directors = max(seats >= 5, round(seats * 0.07))
        deputies = round(seats * 0.09)
        officers = round(seats * 0.14)
    else:  # the two committees' chair, deputies and members (only in a staffed community)
        directors = int(seats >= 3)
        deputies = (seats >= 5) + (seats >= 14)
        officers = round(seats * 0.22) if seats >= 4 else 0
    posts = (
        [Post.DIRECTOR] * directors + [Post.DEPUTY_DIRECTOR] * deputies + [Post.OFFICER] * officers
    )[:seats]
    return posts + [Post.ASSISTANT] * (seats - len(posts))


def apportion(total: int, capacities: list[int]) -> list[int]:
    """Share ``total`` in proportion to ``capacities`` (largest remainder), capped by each."""
    whole = sum(capacities)
    if whole == 0 or total <= 0:
        return [0] * len(capacities)
    total = min(total, whole)
    exact = [total * c / whole for c in capacities]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return [min(s, c) for s, c in zip(shares, capacities, strict=True)]


def random_day(rng: random.Random, year: int) -> date:
    """A working day between February and November (January belongs to the appraisals)."""
    return date(year, 2, 1) + timedelta(days=rng.randint(0, 300))


def first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def check_digit(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return "10X98765432"[total % 11]
