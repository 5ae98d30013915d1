"""What the notifications carry, validated on arrival.

Every model ignores keys it does not name, so anything a sender adds later (or sends by mistake,
such as an evidence hash or a donor's identity) never reaches the read model.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field


def _decimal_text(value: Any) -> str:
    # Exact quantities travel as strings; a float here would already have lost digits.
    if isinstance(value, bool | float):
        raise ValueError("quantities must be decimal strings, not floats")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise ValueError("a decimal string is required")
    try:
        parsed = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError("not a decimal number") from exc
    if not parsed.is_finite():
        raise ValueError("not a finite number")
    return format(parsed, "f")


def _calendar_date(value: Any) -> Any:
    # Senders may give a date or a full timestamp; only the calendar day is disclosed.
    if isinstance(value, str) and len(value) > 10:
        return value[:10]
    return value


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _donor_kind(value: Any) -> Any:
    # Only the kind of donor is public; anything richer (a name, an account) is dropped here.
    if isinstance(value, dict):
        value = value.get("kind")
    return value if value in ("person", "organization") else None


DecimalText = Annotated[str, BeforeValidator(_decimal_text)]
CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
Timestamp = Annotated[datetime, AfterValidator(_utc)]
Grams = Annotated[int, Field(ge=0, strict=True)]
Identifier = Annotated[str, Field(min_length=1, max_length=100)]
Label = Annotated[str, Field(max_length=200)]
# Free text the other registries' certificates and the deciders write (beneficiary, purpose, reasons).
Words = Annotated[str, Field(max_length=1000)]
Text = Annotated[str, Field(max_length=2000)]


class _Incoming(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PolicyTerms(_Incoming):
    """The policy profile that applies to an event."""

    profile_id: Label
    version: Label | None = None
    band: Label | None = None
    neutrality: Label | None = None
    confirmation_method: Label | None = None
    deadline: CalendarDate | None = None
    disclosure_fields: list[Label] = Field(default_factory=list, max_length=100)
    # Recommended offset order; its shape is the profile's to choose (see offsets.priority_ranks).
    priority: Any = None


class ReductionMeasure(_Incoming):
    """A reduction measure and its expected effect."""

    name: Text
    expected_kgco2e: DecimalText | None = None


class PlannedOffset(_Incoming):
    """An offset the implementation plan intends to use."""

    unit_type: Label
    quantity_g: Grams


class BoundaryItem(_Incoming):
    """One source type and whether the accounting boundary includes it."""

    source_type: Label
    included: bool
    reason: Text | None = None


class Plan(_Incoming):
    """The public part of the implementation plan."""

    reduction_measures: list[ReductionMeasure] = Field(default_factory=list, max_length=500)
    planned_offsets: list[PlannedOffset] = Field(default_factory=list, max_length=100)
    boundary: list[BoundaryItem] = Field(default_factory=list, max_length=100)
    # Saved on or after the event's first day: made after the event started.
    late: bool = False


class Accounted(_Incoming):
    """The accounted emissions of a submitted inventory."""

    total_kgco2e: DecimalText
    by_source_type: dict[Label, DecimalText] = Field(default_factory=dict)
    by_scope: dict[Label, DecimalText] = Field(default_factory=dict)
    by_phase: dict[Label, DecimalText] = Field(default_factory=dict)
    market_based_electricity_kgco2e: DecimalText | None = None
    location_based_electricity_kgco2e: DecimalText | None = None
    inventory_version: int | None = None
    factor_dataset_version: Label | None = None
    submitted_at: Timestamp | None = None


class BandChange(_Incoming):
    """A change of band (and perhaps of confirmation method) that the actual participant count made."""

    from_band: Label
    to_band: Label
    from_method: Label
    to_method: Label
    participants: Annotated[int, Field(ge=0)]
    basis: Literal["actual"] = "actual"
    changed_at: Timestamp


class EventState(_Incoming):
    """`event.updated`: an event's full public state."""

    id: Identifier
    name: Annotated[str, Field(min_length=1, max_length=500)]
    organizers: list[Label] = Field(default_factory=list, max_length=50)
    kind: Label
    jurisdiction: Annotated[str, Field(min_length=2, max_length=20)]
    host_type: Label | None = None
    venue: Text | None = None
    starts_at: CalendarDate
    ends_at: CalendarDate
    expected_participants: int | None = None
    actual_participants: int | None = None
    status: Annotated[str, Field(min_length=1, max_length=30)]
    policy: PolicyTerms | None = None
    band_changes: list[BandChange] = Field(default_factory=list, max_length=1000)
    plan: Plan | None = None
    accounted: Accounted | None = None


class SerialRange(_Incoming):
    """A serial range retired, with its project."""

    serial: Label
    start: int
    end: int
    quantity_g: Grams
    project_id: Identifier | None = None
    project_name: Text | None = None
    province: Label | None = None
    category: Label | None = None
    vintage: int | None = None


class RetirementState(_Incoming):
    """`retirement.recorded`: a retirement or donation on the platform registry."""

    id: Identifier
    kind: Literal["retirement", "donation"]
    event_id: Identifier
    unit_type: Annotated[str, Field(min_length=1, max_length=20)]
    quantity_g: Grams
    beneficiary: Text | None = None
    reason: Text | None = None
    donor: Annotated[Literal["person", "organization"] | None, BeforeValidator(_donor_kind)] = None
    serial_ranges: list[SerialRange] = Field(default_factory=list, max_length=1000)
    log_index: int | None = None
    retired_at: Timestamp


class ClaimDecision(_Incoming):
    """The decision on an external claim: who decided in what role, and why (public, as the log records it)."""

    outcome: Literal["confirmed", "rejected", "voided"]
    reason: Words
    decided_as: Annotated[str, Field(max_length=20)]
    decided_at: Timestamp


class CancellationState(_Incoming):
    """`cancellation.recorded`: a cancellation made in another registry."""

    id: Identifier
    event_id: Identifier
    registry: Annotated[str, Field(min_length=1, max_length=20)]
    serial_from: Label
    serial_to: Label
    quantity_g: Grams
    cancellation_ref: Label
    project_id: Identifier | None = None
    project_province: Label | None = None
    vintage: int | None = None
    cancelled_on: date | None = None
    beneficiary: Words | None = None
    purpose: Words | None = None
    status: Literal["claimed", "confirmed", "rejected", "voided"] = "claimed"
    decision: ClaimDecision | None = None
    log_index: int | None = None
    recorded_at: Timestamp


class CertificateOffset(_Incoming):
    """An offset a certificate counts, with its tier in the recommended order."""

    unit_type: Label
    quantity_g: Grams
    priority_tier: int | None = None


class CertificateState(_Incoming):
    """`certificate.updated`: a certificate, its signed form and its status."""

    id: Identifier
    event_id: Identifier
    jurisdiction: Annotated[str, Field(min_length=2, max_length=20)]
    status: Literal["valid", "revoked"]
    event_name: Annotated[str, Field(max_length=500)]
    organizers: list[Label] = Field(default_factory=list, max_length=50)
    starts_at: CalendarDate | None = None
    ends_at: CalendarDate | None = None
    accounted_kgco2e: DecimalText | None = None
    offsets: list[CertificateOffset] = Field(default_factory=list, max_length=100)
    confirmation_method: Label | None = None
    issuer: Text | None = None
    issued_at: Timestamp
    revoked_at: Timestamp | None = None
    revocation_reason: Text | None = None
    jws: Annotated[str, Field(max_length=100_000)]
    status_list_url: Text | None = None
    status_list_index: int | None = None
    verification_url: Text | None = None
