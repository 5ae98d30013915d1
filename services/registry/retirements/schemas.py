"""What the retirements, donations and proofs APIs take and return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.cancellations.schemas import CancellationOut
from services.registry.credits.schemas import NamedBlocks, SerialRangeOut
from services.registry.vocabulary import AccountId, Grams, Identifier, Text, UnitType

DonorKind = Literal["person", "organization"]


class RetirementCreate(BaseModel):
    """Credits retired from an account of the token's owner for an event's neutrality."""

    model_config = ConfigDict(extra="forbid")

    event_id: Identifier
    from_account: AccountId
    quantity: Grams
    unit_type: UnitType
    beneficiary: Text
    reason: Text
    blocks: NamedBlocks = None


class DonationCreate(BaseModel):
    """A person's (or a key emitter's) credits retired for an event, the donor on record."""

    model_config = ConfigDict(extra="forbid")

    event_id: Identifier
    from_account: AccountId
    quantity: Grams
    unit_type: UnitType | None = Field(
        default=None, description="Needed only when the account holds more than one unit type"
    )
    beneficiary: Text | None = None
    reason: Text | None = None


class RetirementOut(BaseModel):
    """A retirement or donation with the serial ranges it retired and the log entry that records it."""

    id: str
    kind: Literal["retirement", "donation"]
    event_id: str
    from_account: str | None = Field(default=None, description="Shown to the caller that retired; null in public reads")
    unit_type: str
    quantity_g: int = Field(description="Grams of CO2e retired")
    beneficiary: str | None
    reason: str | None
    donor: DonorKind | None = Field(description="A donation's donor, disclosed only as a kind")
    serial_ranges: list[SerialRangeOut]
    bound_projects: list[str] = Field(
        default_factory=list, description="New sink projects this retirement bound to the event (Shandong's rule)"
    )
    log_index: int
    retired_at: datetime


EventRecord = Annotated[RetirementOut | CancellationOut, Field(discriminator="kind")]


class UnitTotal(BaseModel):
    """An event's retired grams of one unit type (external registries count as unit types)."""

    unit_type: str
    quantity_g: int
    records: int


class EventRecords(BaseModel):
    """A page of an event's retirements, donations and external cancellations, in log order."""

    event_id: str | None
    totals: list[UnitTotal] = Field(description="Over every record that matches, not only this page")
    items: list[EventRecord]
    next_cursor: str | None = None


class ProofOut(BaseModel):
    """What proves a record is in the log: the shape RetirementProofBundle.from_json reads (base64 hashes)."""

    entry: dict[str, Any]
    leaf_index: int
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str
