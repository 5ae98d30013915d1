"""What the external-cancellations API takes and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.vocabulary import Grams, Identifier, Province, Text, Vintage

ExternalRegistry = Literal["CCER", "CEA", "CER", "VCU"]
ClaimStatus = Literal["claimed", "confirmed", "rejected", "voided"]
SerialText = Annotated[str, Field(min_length=1, max_length=200)]


class CancellationCreate(BaseModel):
    """A cancellation made in another registry, claimed for an event with its evidence.

    Units of CCER, CEA, CER and VCU are tonnes, so ``quantity`` (grams) must be whole tonnes, and
    where the serials carry a numeric range it must equal (last - first + 1) x 1,000,000. The claim
    counts once the event's evaluator or the regulator confirms it, where the event's confirmation
    asks a third party to evaluate; otherwise from the moment it is recorded.
    """

    model_config = ConfigDict(extra="forbid")

    event_id: Identifier
    registry: ExternalRegistry
    serial_from: SerialText
    serial_to: SerialText
    quantity: Grams
    cancellation_ref: Annotated[str, Field(min_length=1, max_length=200)]
    cancelled_on: date = Field(
        description="The day the units were cancelled in the other registry, as its certificate says: "
        "not in the future, not before the vintage year"
    )
    beneficiary: Text = Field(description="The beneficiary printed on the other registry's cancellation certificate")
    purpose: Text = Field(description="The purpose printed on the other registry's cancellation certificate")
    project_id: Identifier = Field(description="The project's id in its own registry")
    project_province: Province
    vintage: Vintage
    evidence_sha256: Annotated[
        str, Field(max_length=64, pattern=r"^[0-9a-f]{64}$", description="Lowercase hex SHA-256 of the evidence")
    ]
    evidence_url: Annotated[
        str,
        Field(
            max_length=500,
            pattern=r"^https?://[^\s/?#]+[^\s]*$",
            description="Where the evidence can be fetched: an http or https URL",
            examples=["https://registry.example.cn/cancellations/NCCR-2024-0031.pdf"],
        ),
    ]


class ClaimDecisionIn(BaseModel):
    """An evaluator's or the regulator's decision on a claim."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["confirmed", "rejected"]
    reason: Text


class ClaimVoidIn(BaseModel):
    """The regulator's voiding of a claim, with its reason (for instance: the serials are another's)."""

    model_config = ConfigDict(extra="forbid")

    reason: Text


class ClaimDecisionOut(BaseModel):
    """A decision on a claim and the log entry that records it."""

    id: str
    cancellation_id: str
    outcome: Literal["confirmed", "rejected", "voided"]
    reason: str
    decided_as: Literal["evaluator", "regulator"]
    decided_at: datetime
    log_index: int


class CancellationOut(BaseModel):
    """A recorded external cancellation, its claim status, and the log entry that records it."""

    id: str
    kind: Literal["external_cancellation"] = "external_cancellation"
    event_id: str
    registry: str
    serial_from: str
    serial_to: str
    series: str = Field(description="The series the serials count within, as parsed")
    range_start: int
    range_end: int
    quantity_g: int
    cancellation_ref: str
    cancelled_on: date | None = Field(description="Null for records made before the date was asked")
    beneficiary: str | None
    purpose: str | None
    project_id: str
    project_province: str
    vintage: int
    evidence_sha256: str
    evidence_url: str | None
    status: ClaimStatus = Field(
        description="claimed until the evaluator or regulator decides; rejected and voided claims count for "
        "nothing and free their serials"
    )
    decision: ClaimDecisionOut | None = None
    log_index: int
    recorded_at: datetime
