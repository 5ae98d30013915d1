"""The public shapes of disclosed events."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class CertificateBrief(BaseModel):
    """The certificate of an event and its live status."""

    id: str
    status: str = Field(description="valid or revoked")
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None


class OffsetByUnitType(BaseModel):
    """What was retired or cancelled for an event, by unit type."""

    unit_type: str
    quantity_g: int = Field(description="Grams CO2e (exact)")
    tonnes: str = Field(description="Tonnes CO2e as an exact decimal string")
    records: int = Field(description="How many retirements, donations and external cancellations")
    priority_tier: int | None = Field(
        description="The unit type's tier in the policy's recommended order (1 first); null if the policy gives none"
    )


class Offsets(BaseModel):
    """All offsets of an event."""

    total_g: int
    total_tonnes: str
    by_unit_type: list[OffsetByUnitType]


class AccountedEmissions(BaseModel):
    """The accounted emissions (kgCO2e as exact decimal strings)."""

    total_kgco2e: str
    by_source_type: dict[str, str]
    by_scope: dict[str, str]
    by_phase: dict[str, str]
    market_based_electricity_kgco2e: str | None
    location_based_electricity_kgco2e: str | None
    inventory_version: int | None
    factor_dataset_version: str | None
    submitted_at: datetime | None


class BoundaryItem(BaseModel):
    """A source type inside or outside the accounting boundary."""

    source_type: str
    included: bool
    reason: str | None


class ReductionMeasure(BaseModel):
    """A reduction measure and its expected effect."""

    name: str
    expected_kgco2e: str | None


class PlannedOffset(BaseModel):
    """An offset the implementation plan intends."""

    unit_type: str
    quantity_g: int
    tonnes: str


class OffsetMethod(BaseModel):
    """How the event offsets: what the plan intends and which unit types were actually used."""

    planned: list[PlannedOffset]
    used_unit_types: list[str]


class BandChange(BaseModel):
    """A change of the event's band, and so perhaps of how its neutrality is confirmed, that its actual
    participant count made."""

    from_band: str
    to_band: str
    from_method: str = Field(description="Confirmation method before: self_commitment or third_party")
    to_method: str = Field(description="Confirmation method after")
    participants: int | None = Field(description="The actual count; null where the profile does not disclose scale")
    basis: str = Field(description="actual: the actual participant count decided")
    changed_at: datetime


class EventDetail(BaseModel):
    """A disclosed event: always id, jurisdiction, status, offsets, certificate, whether its plan was late
    and its band changes; the rest only as its policy profile's `disclosure_fields` allow (absent keys
    were not disclosed)."""

    id: str
    jurisdiction: str
    status: str
    offsets: Offsets
    certificate: CertificateBrief | None
    late_plan: bool | None = Field(
        default=None,
        description="True when the implementation plan was made on or after the event's first day; null without "
        "a plan",
    )
    band_changes: list[BandChange] = Field(default_factory=list)
    name: str | None = None
    organizers: list[str] | None = None
    kind: str | None = None
    host_type: str | None = None
    venue: str | None = None
    starts_at: date | None = None
    ends_at: date | None = None
    expected_participants: int | None = None
    actual_participants: int | None = None
    boundary: list[BoundaryItem] | None = None
    reduction_measures: list[ReductionMeasure] | None = None
    accounted_emissions: AccountedEmissions | None = None
    offset_method: OffsetMethod | None = None
    neutrality_date: date | None = Field(default=None, description="The day the last offset was recorded")
    neutrality_deadline: date | None = None
    confirmation_method: str | None = None


class EventSummary(BaseModel):
    """An event in a list; name, organizers and dates are null where the profile does not disclose them."""

    id: str
    jurisdiction: str
    kind: str
    status: str
    name: str | None
    organizers: list[str] | None
    starts_at: date | None
    ends_at: date | None
    offsets_total_g: int
    offsets_total_tonnes: str
    certificate_status: str | None
