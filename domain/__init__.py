"""The community-worker ledger's domain: facts, rules and aggregates.

Nothing here knows about HTTP or SQL. Aggregates record facts as events; the
pure functions in :mod:`domain.timeline` and :mod:`domain.rules` derive state
from those facts under a :class:`domain.policy.Policy`.
"""
