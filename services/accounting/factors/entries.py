"""The records of an emission factor dataset: factors with their sources, and the defaults that use them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator

from services.accounting.inventory.units import FactorUnit, GasBasis, parse_factor_unit, unit
from services.accounting.inventory.vocabulary import Category
from services.accounting.records import FrozenModel, LocalizedText

FACTOR_ID_PATTERN = r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$"


def decimal_from_text(value: Any) -> Decimal:
    """Read a dataset number, which must be written as a string so no float ever touches it."""
    if not isinstance(value, str):
        raise ValueError(f"numbers are written as strings in the dataset (got {value!r})")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise ValueError(f"must be a finite, non-negative number (got {value!r})")
    return number


class FactorSource(FrozenModel):
    """Where a factor's value comes from."""

    document: str = Field(min_length=1)
    table: str = Field(min_length=1)
    year: int
    citation: str = Field(min_length=1)


class EmissionFactor(FrozenModel):
    """One emission factor: value per activity unit, its basis, scope of validity and source."""

    id: str = Field(pattern=FACTOR_ID_PATTERN)
    name: LocalizedText
    category: Category
    also_for: tuple[Category, ...] = ()
    value: Decimal
    unit: str
    activity_unit: str
    gas_basis: GasBasis
    geography: str = Field(min_length=1)
    year: int
    boundary_notes: str = Field(min_length=1)
    derivation: str | None = None
    source: FactorSource
    verified: bool
    flag: str | None = None

    _read_value = field_validator("value", mode="before")(decimal_from_text)

    @model_validator(mode="after")
    def _consistent(self) -> EmissionFactor:
        parsed = parse_factor_unit(self.unit)
        if unit(self.activity_unit).symbol != parsed.activity:
            raise ValueError(f"{self.id}: activity_unit {self.activity_unit} does not match unit {self.unit}")
        if parsed.gas != self.gas_basis:
            raise ValueError(f"{self.id}: gas_basis {self.gas_basis} does not match unit {self.unit}")
        if self.verified == bool(self.flag):
            raise ValueError(f"{self.id}: an unverified factor needs a flag, and only an unverified one")
        return self

    @property
    def factor_unit(self) -> FactorUnit:
        """The parsed unit."""
        return parse_factor_unit(self.unit)

    def applies_to(self, category: Category) -> bool:
        """Whether activity lines of `category` may use this factor."""
        return category == self.category or category in self.also_for

    def citation(self) -> str:
        """The source in one line, for traces."""
        return f"{self.source.document}, {self.source.table} ({self.source.year})"


class ElectricitySettings(FrozenModel):
    """Which factors report electricity location-based and market-based."""

    location_based_default: str
    market_based_residual: str
    note: str = Field(min_length=1)


class TravelModeDefault(FrozenModel):
    """A travel mode of participant-based estimates: its factor (none: no emissions) and hotel need."""

    label: LocalizedText
    factor: str | None = None
    overnight: bool


class EstimateDefaults(FrozenModel):
    """Documented assumptions that turn a headcount into estimated activity lines."""

    meals_per_participant_day: Decimal
    room_nights_per_event_day: Decimal
    participants_per_room: Decimal
    meal_factor: str
    hotel_factor: str
    note: str = Field(min_length=1)
    modes: dict[str, TravelModeDefault]

    _read_numbers = field_validator(
        "meals_per_participant_day", "room_nights_per_event_day", "participants_per_room", mode="before"
    )(decimal_from_text)

    @field_validator("participants_per_room")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("participants_per_room must be positive")
        return value


class FactorDataset(FrozenModel):
    """A versioned emission factor dataset as stored in its data file."""

    dataset: str = Field(min_length=1)
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    note: str = Field(min_length=1)
    electricity: ElectricitySettings
    estimates: EstimateDefaults
    factors: tuple[EmissionFactor, ...]

    @model_validator(mode="after")
    def _references(self) -> FactorDataset:
        by_id: dict[str, EmissionFactor] = {}
        for factor in self.factors:
            if factor.id in by_id:
                raise ValueError(f"factor id {factor.id} appears twice")
            by_id[factor.id] = factor
        # Each referenced factor must exist, suit its use, and be per the unit the estimates count in.
        expected: dict[str, tuple[Category, str | None]] = {
            self.electricity.location_based_default: (Category.PURCHASED_ELECTRICITY, None),
            self.electricity.market_based_residual: (Category.PURCHASED_ELECTRICITY, None),
            self.estimates.meal_factor: (Category.CATERING, "meal"),
            self.estimates.hotel_factor: (Category.ACCOMMODATION, "room_night"),
        }
        for mode in self.estimates.modes.values():
            if mode.factor is not None:
                expected[mode.factor] = (Category.TRAVEL, "passenger_distance")
        for factor_id, (category, dimension) in expected.items():
            found = by_id.get(factor_id)
            if found is None:
                raise ValueError(f"the dataset refers to factor {factor_id}, which it does not hold")
            if not found.applies_to(category):
                raise ValueError(f"factor {factor_id} is used for {category} but is {found.category}")
            if dimension is not None and unit(found.activity_unit).dimension != dimension:
                raise ValueError(f"factor {factor_id} must be per {dimension.replace('_', ' ')}")
        return self
