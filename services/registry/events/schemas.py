"""What the registry's events API takes and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.vocabulary import Party

Role = Literal["retire", "evaluate"]


class DelegationCreate(BaseModel):
    """A platform client the owner lets act for its event."""

    model_config = ConfigDict(extra="forbid")

    client_id: Party = Field(
        description="A platform client (lt_…), or a sign-on's app as <issuer alias>/<client_id>"
    )
    role: Role = Field(
        description="retire: record retirements and external cancellations for the event; "
        "evaluate: confirm or reject its external claims as the engaged third-party evaluator"
    )


class DelegationOut(BaseModel):
    """A grant, and its revocation once revoked."""

    id: str
    event_id: str
    client_id: str
    role: Role
    granted_at: datetime
    revoked_at: datetime | None = None
    revocation_id: str | None = None
    log_index: int = Field(description="The log entry of the grant")


class RevocationOut(BaseModel):
    """A delegation's revocation, a log entry of its own."""

    id: str
    delegation_id: str
    event_id: str
    client_id: str
    role: Role
    revoked_at: datetime
    log_index: int


class KnownEventOut(BaseModel):
    """An event as the registry knows it: what decides whether records can be attached to it."""

    id: str
    status: str
    accepts_offsets: bool = Field(description="Whether its state takes retirements, donations and claims")
    accepts_donations: bool
    jurisdiction: str
    starts_at: date
    ends_at: date
    profile_id: str | None
    known_since: datetime = Field(description="When the registry first learnt of the event from accounting")
    updated_at: datetime
    owner: str | None = Field(default=None, description="Shown to the owner and the registry's administrators")
    delegations: list[DelegationOut] | None = Field(default=None, description="Shown to the owner only")
