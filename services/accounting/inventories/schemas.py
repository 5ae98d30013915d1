"""Activity lines as clients send them (bounded), and the inventory documents they get back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from services.accounting.inventory.lines import ActivityLine, CustomFactor
from services.accounting.inventory.vocabulary import DataQuality, Phase

MAX_LINES = 20_000
MAX_QUANTITY = Decimal("1e15")
MAX_PARTICIPANTS = 10_000_000


def refuse_float(value: Any) -> Any:
    """Refuse JSON floats for exact quantities (whole numbers and decimal strings pass)."""
    # A JSON number with a fraction has already been read as a binary float and lost its exact value.
    if isinstance(value, float | bool):
        raise ValueError('write quantities as decimal strings, e.g. "1200.5" (or whole numbers)')
    return value


# The float check comes after the constraints so that it wraps them: the constraints then run inside
# the compiled decimal validator rather than as separate Python steps (three times faster per line).
Quantity = Annotated[
    Decimal,
    Field(ge=0, le=MAX_QUANTITY, max_digits=30, decimal_places=12, allow_inf_nan=False, examples=["1200.5"]),
    BeforeValidator(refuse_float),
]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=32)]
FactorId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(max_length=200)]


class CustomFactorIn(CustomFactor):
    """A factor of the line's own, with the source that vouches for it."""

    value: Quantity
    unit: Unit = Field(examples=["kgCO2e/kWh"])
    source: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ActivityLineIn(ActivityLine):
    """An actual activity line: what was consumed, how it was measured, in which phase."""

    quantity: Quantity
    unit: Unit = Field(examples=["kWh", "MWh", "t", "kg", "L", "m3", "Nm3", "pkm", "room-night", "meal"])
    factor_id: FactorId | None = None
    custom_factor: CustomFactorIn | None = None
    data_quality: DataQuality
    phase: Phase
    green_certificates: tuple[Reference, ...] = Field(default=(), max_length=100)
    label: Label = ""


class EstimatedLineIn(ActivityLineIn):
    """An estimated activity line: data quality `estimated` and phase `holding` unless told."""

    data_quality: DataQuality = DataQuality.ESTIMATED
    phase: Phase = Phase.HOLDING


class InventoryIn(BaseModel):
    """The actual activity lines and participants of an event."""

    model_config = ConfigDict(extra="forbid")

    lines: list[ActivityLineIn] = Field(min_length=1, max_length=MAX_LINES)
    actual_participants: int = Field(strict=True, ge=0, le=MAX_PARTICIPANTS)


class Figures(BaseModel):
    """Emissions in kgCO2e (decimal strings): the total and its split by source type, scope and phase."""

    total_kgco2e: str
    by_source_type: dict[str, str]
    by_scope: dict[str, str]
    by_phase: dict[str, str]


class Electricity(BaseModel):
    """Purchased electricity on both bases."""

    location_based_kgco2e: str
    market_based_kgco2e: str
    note: str


class FactorUsed(BaseModel):
    """An emission factor the lines used: value, unit, basis, source, and whether it is verified."""

    name: dict[str, str] | None = None
    value: str
    unit: str
    gas_basis: str
    source: str
    verified: bool
    flag: str | None


class Trace(BaseModel):
    """How a line's emissions were reached; a library factor's source is under `factors[factor_id]`."""

    factor_id: str | None
    factor_value: str
    factor_unit: str
    source: str | None = Field(default=None, description="Only for custom factors and green certificates.")
    conversion_ratio: str | None
    converted_quantity: str
    activity_unit: str
    emissions_kgco2e: str
    arithmetic: str


class LineOut(BaseModel):
    """An activity line with its emissions on both bases and its trace (the market-based one for electricity)."""

    index: int
    category: str
    quantity: str
    unit: str
    factor_id: str | None
    custom_factor: dict[str, str] | None
    evidence_sha256: str | None
    data_quality: str
    phase: str
    green: bool
    green_certificates: list[str]
    label: str
    scope: int
    kgco2e: str = Field(description="On the accounted basis.")
    location_based_kgco2e: str
    market_based_kgco2e: str
    trace: Trace
    market_based_trace: Trace | None


class Calculated(BaseModel):
    """A calculation's totals, factors and lines."""

    factor_dataset: str
    factor_dataset_version: str
    accounted_basis: str
    total_kgco2e: str
    totals: Figures
    location_based: Figures
    market_based: Figures
    electricity: Electricity
    factors: dict[str, FactorUsed]
    lines: list[LineOut] | None = Field(description="Omitted when asked for with lines=false.")


class InventoryOut(Calculated):
    """One version of an event's inventory."""

    event_id: str
    version: int
    status: str = Field(description="draft or submitted")
    accounted: bool = Field(description="Whether this version is the event's accounted emissions.")
    amends: int | None
    actual_participants: int
    line_count: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None


class VersionOut(BaseModel):
    """A version of an inventory in the list of versions."""

    version: int
    status: str
    accounted: bool
    amends: int | None
    line_count: int
    total_kgco2e: str
    factor_dataset_version: str
    actual_participants: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None


class VersionPage(BaseModel):
    """The inventory's versions, newest first."""

    items: list[VersionOut]
    next_cursor: str | None = None
