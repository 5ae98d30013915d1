"""Activity lines and their calculated results: what was consumed, the factor used, and the trace."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import Field

from services.accounting.inventory.units import GasBasis
from services.accounting.inventory.vocabulary import Category, DataQuality, Phase, Scope
from services.accounting.records import FrozenModel

Basis = Literal["location_based", "market_based"]


class CustomFactor(FrozenModel):
    """An emission factor supplied with the line instead of taken from the library."""

    value: Decimal
    unit: str
    source: str


class ActivityLine(FrozenModel):
    """One activity: a quantity of something consumed, and the factor that turns it into emissions."""

    category: Category
    quantity: Decimal
    unit: str
    factor_id: str | None = None
    custom_factor: CustomFactor | None = None
    evidence_sha256: str | None = Field(default=None, max_length=64, pattern=r"^[0-9a-f]{64}$")
    # Better data quality must be claimed explicitly; an unstated line is treated as an estimate.
    data_quality: DataQuality = DataQuality.ESTIMATED
    phase: Phase = Phase.HOLDING
    green: bool = False
    green_certificates: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True, slots=True)
class TraceFactor:
    """The emission factor a trace applied: value, unit, gas basis and source; shared by the lines using it."""

    id: str | None
    value: Decimal
    unit: str
    gas_basis: GasBasis
    source: str
    verified: bool
    flag: str | None


# Results and traces are slots dataclasses, not validated models, and are not frozen: only the
# calculation builds them, from validated inputs, and an inventory holds tens of thousands of them,
# where validation or frozen-attribute setting would cost more than the arithmetic itself.
@dataclass(slots=True)
class LineTrace:
    """How one emission figure was reached: factor, source, converted quantity and the arithmetic."""

    factor: TraceFactor
    quantity: Decimal
    unit: str
    conversion_ratio: Decimal | None
    converted_quantity: Decimal
    activity_unit: str
    emissions_kgco2e: Decimal
    arithmetic: str

    @property
    def factor_id(self) -> str | None:
        """The library factor's id (None for a custom factor)."""
        return self.factor.id

    @property
    def factor_value(self) -> Decimal:
        """The factor's value."""
        return self.factor.value

    @property
    def factor_unit(self) -> str:
        """The factor's unit, e.g. `kgCO2/kWh`."""
        return self.factor.unit

    @property
    def gas_basis(self) -> GasBasis:
        """CO2 or CO2e."""
        return self.factor.gas_basis

    @property
    def source(self) -> str:
        """Where the factor's value comes from."""
        return self.factor.source

    @property
    def verified(self) -> bool:
        """Whether the factor's value is confirmed against an official source."""
        return self.factor.verified

    @property
    def flag(self) -> str | None:
        """What to check before relying on an unverified factor."""
        return self.factor.flag


@dataclass(slots=True)
class LineResult:
    """A calculated activity line, location-based and market-based (they differ only for electricity)."""

    index: int
    line: ActivityLine
    scope: Scope
    location_based_kgco2e: Decimal
    market_based_kgco2e: Decimal
    trace: LineTrace
    market_based_trace: LineTrace | None = None


class Totals(FrozenModel):
    """Emissions in kgCO2e: the total, and the same total split by source type, scope and phase."""

    total_kgco2e: Decimal
    by_category: dict[Category, Decimal]
    by_scope: dict[Scope, Decimal]
    by_phase: dict[Phase, Decimal]


class InventoryResult(FrozenModel):
    """An inventory's lines with traces, and totals on both electricity bases."""

    factor_dataset: str
    factor_dataset_version: str
    lines: tuple[LineResult, ...]
    accounted_basis: Basis
    accounted: Totals
    location_based: Totals
    market_based: Totals
    electricity_note: str

    @property
    def total_kgco2e(self) -> Decimal:
        """The accounted emissions: what the event has to offset."""
        return self.accounted.total_kgco2e
