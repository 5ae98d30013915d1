"""The facts certification reads from the other services, as plain immutable values.

Accounting tells what the event is, which policy applies to it and what was accounted; the registry
tells what was retired or cancelled for it. Nothing here is trusted for coverage until the registry's
log proves it (see applications/proofs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class SinkDeadline:
    """A longer window for offsets from new forestry or ocean sink projects (Shandong)."""

    id: str
    due_on: date
    applies_to: tuple[str, ...]


@dataclass(frozen=True)
class PolicyFacts:
    """What the event's policy profile means for it, as accounting resolved it."""

    profile_id: str
    version: str
    band: str
    confirmation_method: str
    accepted_methods: tuple[str, ...]
    self_commitment_contents: tuple[str, ...]
    neutrality_deadline: date
    sink_deadlines: tuple[SinkDeadline, ...]


@dataclass(frozen=True)
class AccountedFacts:
    """The submitted inventory's result: the event's accounted emissions."""

    total_kgco2e: Decimal
    inventory_version: int | None
    submitted_at: str | None


@dataclass(frozen=True)
class ReductionMeasure:
    """A reduction measure of the implementation plan."""

    name: str
    expected_kgco2e: Decimal | None


@dataclass(frozen=True)
class OffsetTier:
    """One rank of the profile's recommended offset order."""

    rank: int
    label_zh: str
    label_en: str
    kinds: tuple[str, ...]
    unit_types: tuple[str, ...]


@dataclass(frozen=True)
class ProfileFacts:
    """The parts of the event's policy profile certification uses: offset order and certificate issuer."""

    id: str
    version: str
    jurisdiction: str
    accepted_kinds: tuple[str, ...]
    tiers: tuple[OffsetTier, ...]
    certificate_issued: bool
    issuer_zh: str | None
    issuer_en: str | None


@dataclass(frozen=True)
class Transition:
    """Whether accounting's lifecycle allows a step now, by which rule, and why not."""

    allowed: bool
    rule: str
    reason: str | None


@dataclass(frozen=True)
class EventFacts:
    """An event as accounting knows it."""

    id: str
    name: str
    organizers: tuple[str, ...]
    owner: str
    jurisdiction: str
    starts_on: date
    ends_on: date
    status: str
    expected_participants: int | None
    actual_participants: int | None
    policy: PolicyFacts
    profile: ProfileFacts
    accounted: AccountedFacts | None
    # None when the event has no implementation plan at all.
    reduction_measures: tuple[ReductionMeasure, ...] | None
    # accounting's lifecycle on applying for a certificate (after the event, with an accounted inventory)
    may_apply: Transition


@dataclass(frozen=True)
class SerialRange:
    """A serial range a retirement retired, with the project it comes from."""

    serial: str
    start: int
    end: int
    quantity_g: int
    project_id: str
    province: str
    category: str
    vintage: int


@dataclass(frozen=True)
class RecordedRetirement:
    """A retirement or donation on the platform's registry, as the registry lists it."""

    id: str
    kind: str
    event_id: str
    unit_type: str
    quantity_g: int
    donor: str | None
    serial_ranges: tuple[SerialRange, ...]
    log_index: int
    retired_at: datetime


@dataclass(frozen=True)
class RecordedCancellation:
    """A cancellation made in another registry and recorded on the platform, as the registry lists it."""

    id: str
    event_id: str
    registry: str
    serial_from: str
    serial_to: str
    quantity_g: int
    cancellation_ref: str
    project_id: str
    project_province: str
    vintage: int
    log_index: int
    recorded_at: datetime
    status: str
    cancelled_on: date | None
    decision: ClaimDecisionFacts | None


@dataclass(frozen=True)
class ClaimDecisionFacts:
    """The decision on an external claim, as the registry lists it with the claim."""

    id: str
    outcome: str
    log_index: int
