"""A worker's history in words: each fact's label, its codes' labels and its units' names.

``Ledger.worker_history`` answers the facts as recorded: English types (``Hired``) and
bare codes (``"rating": "unqualified"``), unit ids. ``labelled`` adds, beside them and
never instead of them, what a person reads: ``type_label`` (the catalogue's
``fact.<Type>``), a ``<code>_label`` beside each coded field of ``data`` (a ``reason``
by the fact's kind of reason), the unit the worker was in when the fact took effect
(``unit_id``, ``unit_name``) and, for a transfer, the unit left (``from_unit_id``,
``from_unit_name``): a ``Transferred`` fact holds only the new unit, so the items are
walked in their effective-date order. The API's ``GET /workers/{id}/history`` (JSON,
CSV, .xlsx) and the console's timeline both shape a history here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from domain import catalogue
from domain.catalogue import ZH
from domain.policy import PolicySchedule
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    Gender,
    GradeChangeReason,
    Labelled,
    PostChangeReason,
    Rating,
)
from projections.queries import quota
from projections.queries.posts import posts_on
from projections.sql import ReadStore

# The coded fields a fact's data may hold, and their vocabularies. A ``post`` is the
# policy's: labelled by the version in force on the fact's effective date (``post_label``).
CODES: dict[str, type[Labelled]] = {
    "gender": Gender,
    "education": Education,
    "channel": Channel,
    "rating": Rating,
    "level": CertificateLevel,
}
# A ``reason`` is coded by the fact's kind; an appraisal correction's is free text.
REASONS: dict[str, type[Labelled]] = {
    "GradeChanged": GradeChangeReason,
    "PostChanged": PostChangeReason,
    "Dismissed": DismissalReason,
}

# The CSV and .xlsx of a history: one row per fact, the data's fields as columns.
COLUMNS = (
    "effective_date",
    "type",
    "type_label",
    "unit_id",
    "unit_name",
    "from_unit_id",
    "from_unit_name",
    "name",
    "gender",
    "gender_label",
    "birth_date",
    "id_number",
    "post",
    "post_label",
    "grade",
    "education",
    "education_label",
    "channel",
    "channel_label",
    "year",
    "rating",
    "rating_label",
    "level",
    "level_label",
    "reason",
    "reason_label",
    "caused_by_years",
    "policy_version",
    "document_ref",
    "note",
    "recorded_at",
    "recorded_by",
    "request_id",
    "version",
)


def label_of(kind: type[Labelled], code: Any, locale: str) -> str | None:
    """``code``'s label, or None for a code the vocabulary does not know (an old fact's)."""
    try:
        return catalogue.label(kind(code), locale)
    except ValueError:
        return None


def unit_names(store: ReadStore) -> dict[str, str]:
    """Every unit's name by id (names are not personal: not scoped)."""
    return {unit_id: unit["name"] for unit_id, unit in quota.unit_index(store).items()}


def post_label(code: str, effective: str | None, schedule: PolicySchedule, locale: str) -> str:
    """A recorded post's label: as the version in force on the fact's effective date
    named it (a fact keeps its code; a later version that drops the post does not
    rename the past)."""
    day = date.fromisoformat(effective) if effective else date.today()
    return posts_on(schedule, day, locale).label(code)


def labelled(
    items: Iterable[Mapping[str, Any]],
    unit_names: Mapping[str, str],
    schedule: PolicySchedule,
    locale: str = ZH,
) -> list[dict[str, Any]]:
    """``items`` (in effective-date order) with their labels and unit names added; posts
    labelled by ``schedule`` (the ledger's policy versions)."""
    shaped = []
    placed: str | None = None  # the unit the worker is in, walking the facts
    for item in items:
        kind = item["type"]
        data = dict(item["data"])
        for field, vocabulary in CODES.items():
            if data.get(field) is not None:
                data[f"{field}_label"] = label_of(vocabulary, data[field], locale)
        if data.get("post") is not None:
            data["post_label"] = post_label(
                str(data["post"]), item.get("effective_date"), schedule, locale
            )
        reasons = REASONS.get(kind)
        if reasons is not None and data.get("reason"):
            data["reason_label"] = label_of(reasons, data["reason"], locale)
        out = {**item, "type_label": catalogue.text(f"fact.{kind}", locale), "data": data}
        if kind == "Transferred":
            out["from_unit_id"] = placed
            out["from_unit_name"] = unit_names.get(placed) if placed else None
        if data.get("unit_id"):
            placed = str(data["unit_id"])
        out["unit_id"] = placed
        out["unit_name"] = unit_names.get(placed) if placed else None
        shaped.append(out)
    return shaped


def rows(items: Iterable[Mapping[str, Any]]) -> Iterable[dict[str, Any]]:
    """One flat row per fact for ``COLUMNS``: the item's fields, then its data's."""
    for item in items:
        row = {**item["data"], **{k: v for k, v in item.items() if k != "data"}}
        if isinstance(row.get("caused_by_years"), list):
            row["caused_by_years"] = "、".join(str(y) for y in row["caused_by_years"])
        yield row
