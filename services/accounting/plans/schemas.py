"""What organizers send as their implementation plan, and what they get back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from services.accounting.estimates.schemas import ParticipantEstimateIn
from services.accounting.inventories.schemas import MAX_QUANTITY, Calculated, EstimatedLineIn, refuse_float
from services.accounting.inventory.vocabulary import Category
from services.accounting.policies.vocabulary import OffsetKind

MAX_PLAN_LINES = 2_000
MAX_GRAMS = 10**15

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Kilograms = Annotated[
    Decimal,
    Field(ge=0, le=MAX_QUANTITY, max_digits=30, decimal_places=12, allow_inf_nan=False, examples=["12000.5"]),
    BeforeValidator(refuse_float),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BoundaryItemIn(_In):
    """A source type of the guideline, in or out of the accounting boundary, and why."""

    source_type: Category
    included: bool
    reason: Text


class ReductionMeasureIn(_In):
    """A reduction measure and its expected effect in kgCO2e."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    category: Category | None = Field(default=None, description="The source type the measure reduces.")
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    expected_kgco2e: Kilograms


class PlannedOffsetIn(_In):
    """An offset the plan intends to use, in grams CO2e."""

    unit_type: Annotated[str, StringConstraints(max_length=10, pattern=r"^[A-Z][A-Z0-9]{1,9}$")] = Field(
        examples=["HNCI", "SDCI", "CCER", "CEA", "CER", "VCU"]
    )
    offset_kind: OffsetKind | None = Field(
        default=None, description="Ranks the offset when the unit type alone cannot."
    )
    quantity_g: int = Field(strict=True, ge=1, le=MAX_GRAMS)
    project_province: Annotated[
        str | None, StringConstraints(max_length=6, pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
    ] = Field(
        default=None, description="Where a CCER project is (CCER from the event's province rank higher)."
    )


class PlanIn(_In):
    """The implementation plan: boundary, estimated activity, reduction measures and planned offsets."""

    boundary: list[BoundaryItemIn] = Field(min_length=1, max_length=len(Category))
    estimated_lines: list[EstimatedLineIn] = Field(default_factory=list, max_length=MAX_PLAN_LINES)
    participant_estimate: ParticipantEstimateIn | None = None
    reduction_measures: list[ReductionMeasureIn] = Field(default_factory=list, max_length=100)
    planned_offsets: list[PlannedOffsetIn] = Field(default_factory=list, max_length=100)


class RankedOffset(BaseModel):
    """A planned offset with its tier in the recommended order (null: unranked, with the reason)."""

    unit_type: str
    offset_kind: str | None
    quantity_g: int
    project_province: str | None
    priority_tier: int | None
    accepted: bool | None
    reason: str


class TierTotal(BaseModel):
    """Grams planned in one tier."""

    tier: int
    label: dict[str, str]
    kinds: list[str]
    unit_types: list[str]
    quantity_g: int


class PriorityPreview(BaseModel):
    """How the planned offsets rank in the province's recommended order."""

    profile_id: str
    recommendation: str
    offsets: list[RankedOffset]
    tiers: list[TierTotal]
    unranked_quantity_g: int
    constraints: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]


class ReductionMeasureOut(BaseModel):
    """A reduction measure as recorded."""

    name: str
    category: str | None
    description: str
    expected_kgco2e: str


class PlanOut(BaseModel):
    """The implementation plan with its estimate and priority preview."""

    event_id: str
    revision: int
    saved_at: datetime
    late: bool = Field(description="Saved on or after the event's first day: made after the event started.")
    boundary: list[dict[str, Any]]
    reduction_measures: list[ReductionMeasureOut]
    reduction_total_kgco2e: str
    planned_offsets: list[RankedOffset]
    priority_preview: PriorityPreview
    participant_estimate: dict[str, Any] | None
    estimate: Calculated
