"""The public shapes of retirements, donations and external cancellations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

PLATFORM_REGISTRY = "LINGTAN"
RecordKind = Literal["retirement", "donation", "external_cancellation"]


class SerialRangeOut(BaseModel):
    """A serial range retired on the platform registry."""

    serial: str
    start: int
    end: int
    quantity_g: int
    tonnes: str
    project_id: str | None
    project_name: str | None
    province: str | None
    category: str | None
    vintage: int | None


class RetirementRecord(BaseModel):
    """One retirement, donation or external cancellation; the fields of the other kinds are null."""

    id: str
    kind: RecordKind
    event_id: str
    registry: str = Field(description=f"{PLATFORM_REGISTRY} for the platform registry, else CCER, CEA, CER or VCU")
    unit_type: str
    quantity_g: int = Field(description="Grams CO2e (exact)")
    tonnes: str = Field(description="Tonnes CO2e as an exact decimal string")
    log_index: int | None = Field(description="The entry of the platform's tamper-evident log that records it")
    recorded_at: datetime
    serial_ranges: list[SerialRangeOut] = Field(description="Platform retirements and donations")
    serial_from: str | None = Field(description="External cancellations")
    serial_to: str | None
    cancellation_ref: str | None
    project_id: str | None
    project_province: str | None
    vintage: int | None
    donor: str | None = Field(description="Donations: person or organization (a person's identity is never public)")
    beneficiary: str | None
    reason: str | None = Field(description="A retirement's reason; an external cancellation's purpose as printed")
    status: str | None = Field(
        default=None,
        description="External cancellations: claimed, confirmed, rejected or voided (rejected and voided ones "
        "count in no total)",
    )
    cancelled_on: date | None = Field(default=None, description="External cancellations: the day of the cancellation")
    decision: dict[str, Any] | None = Field(
        default=None, description="External cancellations: the decision on the claim (outcome, reason, role, when)"
    )
