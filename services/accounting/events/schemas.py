"""What clients send and receive for events."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.accounting.events.status import EventStatus
from services.accounting.policies.vocabulary import HostType

MAX_PARTICIPANTS = 10_000_000

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Venue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Jurisdiction = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=12),
    Field(description="ISO 3166 code: CN-HI (Hainan), CN-SD (Shandong), or CN for the national guideline."),
]
Participants = Annotated[int, Field(strict=True, ge=1, le=MAX_PARTICIPANTS)]


class EventKind(StrEnum):
    """What sort of large event."""

    CONFERENCE = "conference"
    PERFORMANCE = "performance"
    FORUM = "forum"
    SPORTS = "sports"
    EXHIBITION = "exhibition"
    FESTIVAL = "festival"
    OTHER = "other"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventCreate(_In):
    """A new event; the owner is the token's."""

    name: Name
    organizers: list[Name] = Field(min_length=1, max_length=20)
    kind: EventKind
    jurisdiction: Jurisdiction
    host_type: HostType
    venue: Venue
    starts_at: date = Field(description="First day, local date.")
    ends_at: date = Field(description="Last day, local date; the neutrality deadline counts from it.")
    expected_participants: Participants
    accepts_donations: Annotated[bool, Field(strict=True)] = Field(
        default=False, description="Whether anyone may donate credits to the event (the registry refuses otherwise)."
    )


class EventChange(_In):
    """Corrections before the inventory is submitted; the policy is resolved again."""

    name: Name | None = None
    organizers: list[Name] | None = Field(default=None, min_length=1, max_length=20)
    kind: EventKind | None = None
    jurisdiction: Jurisdiction | None = None
    host_type: HostType | None = None
    venue: Venue | None = None
    starts_at: date | None = None
    ends_at: date | None = None
    expected_participants: Participants | None = None
    accepts_donations: Annotated[bool | None, Field(strict=True)] = Field(
        default=None, description="Open or close the event to donations; allowed in any status."
    )

    @model_validator(mode="after")
    def _something(self) -> EventChange:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class Localized(BaseModel):
    """Chinese and English."""

    zh: str
    en: str


class Source(BaseModel):
    """The clause of a policy document a rule comes from."""

    document: str
    clause: str
    quote: str
    verified: bool
    note: str | None = None


class SelfCommitment(BaseModel):
    """What a self-commitment must state."""

    contents: list[str]
    source: Source | None


class SinkDeadline(BaseModel):
    """A longer deadline for new forestry or ocean sink projects."""

    id: str
    label: Localized
    due_on: date
    months_after_end: int
    applies_to: list[str]
    note: str | None
    source: Source


class Disclosure(BaseModel):
    """A disclosure rule of the profile for this event's band (items in the profile's words)."""

    id: str
    fields: list[str]
    channel: str | None


class PriorityTier(BaseModel):
    """One rank of the recommended offset order (a recommendation, never a block)."""

    tier: int
    label: Localized
    kinds: list[str]
    unit_types: list[str]
    note: str | None = None
    source: Source | None = None


class OffsetConstraint(BaseModel):
    """A condition attached to using some offset kinds."""

    id: str
    applies_to: list[str]
    statement: Localized


class CertificateTerms(BaseModel):
    """Whether the guidance provides a certificate, and its issuer."""

    issued: bool
    name: str | None
    issuer: Localized | None


class Policy(BaseModel):
    """The policy profile that applies to the event, resolved for its band and dates."""

    profile_id: str
    version: str
    jurisdiction: str
    fallback: bool = Field(description="True when the jurisdiction has no profile and its country's applies.")
    band: str
    band_label: Localized
    neutrality: str = Field(description="required, encouraged or voluntary")
    neutrality_source: Source
    confirmation_method: str
    accepted_confirmation_methods: list[str]
    confirmation_source: Source
    self_commitment: SelfCommitment | None
    deadline: date = Field(description="Neutrality complete by this day (inclusive).")
    deadline_source: Source
    sink_project_deadlines: list[SinkDeadline]
    disclosure_fields: list[str]
    disclosures: list[Disclosure]
    priority: list[PriorityTier]
    accepted_offsets: list[str]
    offset_constraints: list[OffsetConstraint]
    certificate: CertificateTerms
    notes: list[str]


class ReductionMeasure(BaseModel):
    """A reduction measure of the plan and its expected effect."""

    name: str
    category: str | None = None
    expected_kgco2e: str


class PlannedOffset(BaseModel):
    """An offset the plan intends to use, with its tier in the recommended order (null: unranked)."""

    unit_type: str
    offset_kind: str | None = None
    quantity_g: int
    priority_tier: int | None = None


class BoundaryItem(BaseModel):
    """A source type in or out of the accounting boundary."""

    source_type: str
    included: bool
    reason: str


class PlanSummary(BaseModel):
    """The public part of the implementation plan."""

    reduction_measures: list[ReductionMeasure]
    planned_offsets: list[PlannedOffset]
    boundary: list[BoundaryItem]
    estimated_kgco2e: str | None = None
    saved_at: datetime | None = None
    late: bool = Field(default=False, description="Saved on or after the event's first day (stays so once late).")


class Accounted(BaseModel):
    """The accounted emissions: the submitted inventory version the event answers for."""

    total_kgco2e: str
    basis: str = Field(description="location_based, or market_based when certified green power is claimed")
    by_source_type: dict[str, str]
    by_scope: dict[str, str]
    by_phase: dict[str, str]
    market_based_electricity_kgco2e: str
    location_based_electricity_kgco2e: str
    inventory_version: int
    factor_dataset_version: str
    submitted_at: datetime


class CertificateRef(BaseModel):
    """The certificate certification last reported for the event."""

    id: str
    status: str


class BandChange(BaseModel):
    """A change of band (and so perhaps of confirmation method) that the actual participant count made."""

    from_band: str
    to_band: str
    from_method: str
    to_method: str
    participants: int
    basis: Literal["actual"]
    changed_at: datetime


class TransitionState(BaseModel):
    """Whether a transition is allowed today, under which rule, and why not."""

    allowed: bool
    rule: str = Field(description="The rule that refused it, or the transition's first rule when allowed.")
    reason: str | None


class Lifecycle(BaseModel):
    """What may be done to the event today (services/accounting/events/lifecycle.py)."""

    transitions: dict[str, TransitionState] = Field(
        description="change_facts, set_donations, save_plan, record_inventory, submit_inventory, "
        "amend_inventory, apply"
    )
    late_plan: bool


class EventOut(BaseModel):
    """An event with its policy, plan summary, accounted emissions and status."""

    id: str
    owner: str
    name: str
    organizers: list[str]
    kind: EventKind
    jurisdiction: str
    host_type: HostType
    venue: str
    starts_at: date
    ends_at: date
    expected_participants: int
    actual_participants: int | None
    status: EventStatus
    accepts_donations: bool
    policy: Policy
    band_changes: list[BandChange]
    plan: PlanSummary | None
    accounted: Accounted | None
    certificate: CertificateRef | None
    lifecycle: Lifecycle
    revision: int
    created_at: datetime
    updated_at: datetime


class EventPage(BaseModel):
    """A page of events, newest first."""

    items: list[EventOut]
    next_cursor: str | None = None
