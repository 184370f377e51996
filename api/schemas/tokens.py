"""Access tokens as admins manage them over HTTP: never a stored secret, never a hash."""

from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from api.schemas.common import Name, Reason, RequestModel, ResponseModel
from domain.vocabulary import Role


class TokenIn(RequestModel):
    # The rule below, stated in the document too.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"role": {"const": Role.CLERK.value}}, "required": ["role"]},
            "then": {
                "required": ["unit_id"],
                "properties": {"unit_id": {"type": "string", "format": "uuid"}},
            },
        }
    )

    name: Name = Field(description="Who holds it; recorded as `recorded_by` on their writes")
    role: Role
    unit_id: UUID | None = Field(None, description="The unit a clerk works for (required)")
    expires_at: AwareDatetime | None = Field(
        None,
        description="When it stops working, in the future (RFC 3339 with a zone); default never",
    )

    @model_validator(mode="after")
    def _clerk_has_a_unit(self) -> Self:
        if self.role is Role.CLERK and self.unit_id is None:
            raise ValueError("a clerk's token needs unit_id, the unit it works for")
        return self


class RevocationIn(RequestModel):
    reason: Reason = Field(description="Why, kept on record for auditors")


class TokenOut(ResponseModel):
    token_id: UUID
    name: str
    role: Role
    role_label: str
    unit_id: UUID | None
    issued_at: datetime
    expires_at: datetime | None
    revoked: bool
    revoked_at: datetime | None
    revocation_reason: str | None


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The secret: shown in this answer only, never stored")


class TokenListOut(ResponseModel):
    items: list[TokenOut]
    next_cursor: str | None = None
