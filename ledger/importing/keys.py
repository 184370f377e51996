"""Aggregate ids derived from a file's keys, so that importing a file twice finds what
the first import recorded instead of recording it again.

A key is scoped by its district's key: two districts may both number their people
from 1. A key that is itself a ledger id (as ``ledger export`` writes them) names
that aggregate, so an exported workbook re-imports onto the same ids.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

# Never change it: every imported aggregate's id is derived from it.
NAMESPACE = uuid5(NAMESPACE_URL, "community-worker-ledger:import")


class NoDistrict(Exception):
    """A key needs its district's key, and the file does not say which district."""


def as_id(key: str) -> UUID | None:
    try:
        return UUID(key)
    except ValueError:
        return None


def unit_id(district: str | None, key: str) -> UUID:
    return _derive(district, "unit", key)


def worker_id(district: str | None, key: str) -> UUID:
    return _derive(district, "worker", key)


def _derive(district: str | None, what: str, key: str) -> UUID:
    found = as_id(key)
    if found is not None:
        return found
    if district is None:
        raise NoDistrict(key)
    return uuid5(NAMESPACE, f"{district}/{what}/{key}")
