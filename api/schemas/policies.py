"""Policy versions: adopting one, listing them, the one in force on a date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, field_validator

from api.schemas.common import DocumentRef, LedgerDate, RequestModel, ResponseModel
from domain.policy import shipped_packs

PACK_NAME_EXAMPLE = "chibi-2020"
MAX_PACK_NAME = 100


# Any other name is refused (422): the document says which exist.
PackName = Annotated[str, Field(json_schema_extra={"enum": shipped_packs()})]


class PolicyIn(RequestModel):
    policy: dict[str, Any] | PackName = Field(
        description="The policy document (format 1, see docs/policy-format.md), or the "
        f"name of a shipped pack such as `{PACK_NAME_EXAMPLE}`",
    )
    effective_date: LedgerDate = Field(
        description="From this date on the version governs; it must fall after the latest "
        "adopted version's effective date (a date before today is allowed: back pay)"
    )
    document_ref: DocumentRef = Field(description="The adopting document's number (文号)")

    @field_validator("policy", mode="before")
    @classmethod
    def _document_or_name(cls, value: Any) -> Any:
        # Checked before the union, so a refusal names `policy` and not a union member.
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and 0 < len(value) <= MAX_PACK_NAME:
            return value
        raise ValueError("must be a policy document (a JSON object) or a shipped pack's name")


class PolicyAdoptedOut(ResponseModel):
    version: int = Field(description="The new version's number: 2 for the first adoption")
    policy_id: str
    title: str | None
    title_zh: str | None
    effective_date: date
    document_ref: str
    recorded_by: str
    recorded_at: datetime | None


class PolicyVersionOut(ResponseModel):
    version: int
    policy_id: str | None
    title: str | None
    title_zh: str | None
    effective_date: date = Field(
        description="In force from this date; the first version also governs the dates "
        "before it, since the ledger knew no earlier rules"
    )
    effective_to: date | None = Field(
        description="The next version takes over on this date; null: still in force"
    )
    document_ref: str
    recorded_by: str = Field(description="Who adopted it")
    recorded_at: datetime = Field(description="When the ledger recorded the adoption")


class PolicyListOut(ResponseModel):
    items: list[PolicyVersionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last")


class ParameterOut(ResponseModel):
    value: Any
    source: str = Field(description="seed, published, inferred or default")
    note: Any = None


class PolicyPostOut(ResponseModel):
    code: str = Field(description="What `post` fields carry, in requests and answers")
    label_zh: str
    label_en: str
    grade_min: int | None
    grade_max: int | None


class PolicyInForceOut(PolicyVersionOut):
    as_of: date
    known_at: datetime | None
    format: int | None
    sources: list[Any]
    posts: list[PolicyPostOut] = Field(description="The posts of this version, top first")
    post_mapping: dict[str, str] = Field(
        description="Codes an earlier version had, to the post of this version they now mean"
    )
    parameters: dict[str, ParameterOut]
