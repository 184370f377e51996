"""The policy book as answers: adopted versions, and the version in force on a date.

Read from the book's own events, which carry what the versions do not: who
adopted each one and when the ledger recorded it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from eventsourcing.utils import get_topic

from domain.errors import InvalidInput, LedgerError, NotFound, PolicyBreaksTimelines
from domain.policy import Policy, PolicySchedule, load_document, shipped_packs
from domain.policy_book import PolicyBook
from domain.posts import DEFAULT_POSTS, read_posts
from domain.timeline import replay
from domain.worker import Worker

# The event classes are made by the aggregates' ``@event`` decorators (so looked up by name).
ADOPTED = vars(PolicyBook)["PolicyAdopted"]
HIRED_TOPIC = get_topic(vars(Worker)["Hired"])
NAMED = 20  # broken timelines named in a refusal; the count says how many in all


def resolve(policy: Mapping[str, Any] | str) -> Mapping[str, Any]:
    """A policy document, or the name of a shipped pack (never a path: a caller over
    HTTP must not make the server read its own files)."""
    if isinstance(policy, str):
        if policy not in shipped_packs():
            raise InvalidInput.because(
                "policy_not_a_pack", field="policy", policy=policy, packs=str(shipped_packs())
            )
        return load_document(policy)
    return policy


def narrows_a_band(before: Policy, after: Policy) -> bool:
    """Whether some post's grade band is narrower: the one change that can make a
    recorded grade (checked under the old band) fall outside the new one. A code the
    new version drops is compared with the band of the post it maps to."""
    for code in (*before.post_codes, *before.post_aliases):
        low, high = before.grade_range(code)
        try:
            new_low, new_high = after.grade_range(code)
        except KeyError:  # placed nowhere: check every timeline
            return True
        if new_low > low or new_high < high:
            return True
    return False


def posts_listed(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A document's posts, top first: code, Chinese and English labels, grade band (None
    where the document gives none). Read as far as the document has the expected shape,
    so a file being checked or compared shows what it says."""
    params = document.get("parameters")
    params = params if isinstance(params, Mapping) else {}
    entry = params.get("posts")
    raw = entry.get("value") if isinstance(entry, Mapping) else None
    posts = read_posts(raw, []) if raw is not None else DEFAULT_POSTS
    grades_entry = params.get("post_grades")
    grades = grades_entry.get("value") if isinstance(grades_entry, Mapping) else None
    grades = grades if isinstance(grades, Mapping) else {}
    listed = []
    for post in posts:
        band = grades.get(post.code)
        if not (isinstance(band, list) and len(band) == 2):
            band = [None, None]
        listed.append(
            {
                "code": post.code,
                "label_zh": post.label_zh,
                "label_en": post.label_en,
                "grade_min": band[0] if isinstance(band[0], int) else None,
                "grade_max": band[1] if isinstance(band[1], int) else None,
            }
        )
    return listed


def post_mapping(document: Mapping[str, Any]) -> dict[str, str]:
    """A document's ``post_mapping`` (codes an earlier version had, to its own posts)."""
    raw = document.get("post_mapping")
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def posts_changed(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """What becomes of the posts going from ``a`` to ``b``: codes added, codes dropped
    (with the post ``b``'s mapping sends each to, None: unmapped) and ``b``'s mapping."""
    codes_a = [p["code"] for p in posts_listed(a)]
    codes_b = [p["code"] for p in posts_listed(b)]
    mapping = post_mapping(b)
    return {
        "added": [c for c in codes_b if c not in codes_a],
        "dropped": {c: mapping.get(c) for c in codes_a if c not in codes_b},
        "mapping": mapping,
    }


def check_timelines(recorder: Any, repository: Any, schedule: PolicySchedule, since: date) -> None:
    """Refuse a schedule under which a recorded fact dated from ``since`` on would no longer
    pass the timeline check: that worker could record nothing more (ADR 11)."""
    broken: list[str] = []
    start = 1
    while page := recorder.select_notifications(start, 1000, topics=[HIRED_TOPIC]):
        for notification in page:
            worker = repository.get(notification.originator_id)
            if all(fact.effective_date < since for fact in worker.facts):
                continue
            try:
                replay(worker.facts, schedule, strict=True)
            except LedgerError as error:
                broken.append(f"worker {worker.id}: {error.detail}")
        start = page[-1].id + 1
    if broken:
        raise PolicyBreaksTimelines.because(
            "policy_breaks_timelines",
            count=len(broken),
            named="; ".join(broken[:NAMED]) + ("; ..." if len(broken) > NAMED else ""),
            field="policy",
        )


def versions(events: Iterable[Any], known_at: datetime | None = None) -> list[dict[str, Any]]:
    """Every adopted version recorded by ``known_at`` (default: all), in version order,
    each with the date the next version takes over (None: still in force)."""
    adopted = [
        e
        for e in events
        if isinstance(e, ADOPTED) and (known_at is None or e.timestamp <= known_at)
    ]
    found = sorted(
        (_summary(e) for e in adopted), key=lambda v: (v["effective_date"], v["version"])
    )
    for index, current in enumerate(found):
        following = found[index + 1] if index + 1 < len(found) else None
        current["effective_to"] = following["effective_date"] if following else None
    return sorted(found, key=lambda v: v["version"])


def _chosen(
    events: list[Any], as_of: date, known_at: datetime | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The version in force on ``as_of`` as known at ``known_at``, and its document."""
    found = versions(events, known_at)
    if not found:
        raise NotFound.because("no_policy_known_at", field="known_at", known_at=known_at)
    chosen = min(found, key=lambda v: (v["effective_date"], v["version"]))
    for version in sorted(found, key=lambda v: (v["effective_date"], v["version"])):
        if version["effective_date"] <= as_of:
            chosen = version
    return chosen, _document(events, chosen["version"])


def _document(events: list[Any], version: int) -> dict[str, Any]:
    for e in events:
        if isinstance(e, ADOPTED) and e.version == version:
            return dict(e.document)
    raise NotFound(f"no policy version {version} was adopted", field="version")


def document_in_force(
    events: Iterable[Any], as_of: date, known_at: datetime | None = None
) -> dict[str, Any]:
    """The adopted document in force on ``as_of``, exactly as adopted: what
    ``POST /policies`` and ``POST /simulations`` accept unchanged."""
    return _chosen(list(events), as_of, known_at)[1]


def document_of(events: Iterable[Any], version: int) -> dict[str, Any]:
    """The document adopted as ``version``."""
    return _document(list(events), version)


def in_force(
    events: Iterable[Any], as_of: date, known_at: datetime | None = None
) -> dict[str, Any]:
    """The version in force on ``as_of`` with its full parameters. As in
    ``PolicySchedule``, the first version also governs the dates before its own."""
    chosen, document = _chosen(list(events), as_of, known_at)
    return {
        **chosen,
        "as_of": as_of,
        "known_at": known_at,
        # Only the parameters are validated; the rest of the document is shown as far
        # as it has the expected shape.
        "format": fmt if isinstance(fmt := document.get("format"), int) else None,
        "sources": sources if isinstance(sources := document.get("sources"), list) else [],
        "posts": posts_listed(document),
        "post_mapping": post_mapping(document),
        "parameters": document["parameters"],
    }


def adopted_answer(
    version: int,
    document: Mapping[str, Any],
    effective_date: date,
    document_ref: str,
    recorded_by: str,
    recorded_at: datetime | None,
) -> dict[str, Any]:
    """What ``POST /policies`` answers: JSON-ready, so it can be kept for an idempotent retry."""
    return {
        "version": version,
        "policy_id": document.get("id"),
        "title": _text(document.get("title")),
        "title_zh": _text(document.get("title_zh")),
        "effective_date": effective_date.isoformat(),
        "document_ref": document_ref,
        "recorded_by": recorded_by,
        "recorded_at": recorded_at.isoformat() if recorded_at else None,
    }


def _summary(event: Any) -> dict[str, Any]:
    document: Mapping[str, Any] = event.document
    return {
        "version": event.version,
        "policy_id": document.get("id"),
        "title": _text(document.get("title")),
        "title_zh": _text(document.get("title_zh")),
        "effective_date": event.effective_date,
        "document_ref": event.document_ref,
        "recorded_by": event.recorded_by,
        "recorded_at": event.timestamp,
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
