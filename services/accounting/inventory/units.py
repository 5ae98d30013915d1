"""Units of activity data and emission factors, and exact Decimal conversion between them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from functools import lru_cache
from typing import Literal

from services.accounting.errors import InexactConversion, InvalidQuantity, UnitMismatch, UnknownUnit

# 200 significant digits hold any realistic event quantity; trapping Inexact turns any rounding into an
# error, so every result below is either exact or refused.
# Single operations pass this context explicitly rather than entering it with localcontext(); the
# calculation of an inventory enters it once for all its lines and uses operators, which is cheaper still.
EXACT = Context(prec=200, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
_ONE = Decimal(1)

GasBasis = Literal["CO2", "CO2e"]


@dataclass(frozen=True)
class Unit:
    """A unit: its symbol, what it measures, and how many base units one of it is."""

    symbol: str
    dimension: str
    to_base: Decimal


def _table(dimension: str, **sizes: str) -> dict[str, Unit]:
    return {symbol: Unit(symbol, dimension, Decimal(size)) for symbol, size in sizes.items()}


# Base units: MJ, kg, L, Nm3, km and one of each counted thing. Normal cubic metres (gas at 0 °C,
# 101.325 kPa) are kept apart from plain cubic metres: they are not the same quantity.
UNITS: dict[str, Unit] = {
    **_table("energy", MJ="1", GJ="1000", TJ="1000000", kWh="3.6", MWh="3600", GWh="3600000"),
    **_table("mass", g="0.001", kg="1", t="1000"),
    **_table("volume", L="1", m3="1000"),
    **_table("normal_volume", Nm3="1"),
    **_table("distance", m="0.001", km="1"),
    **_table("passenger_distance", pkm="1"),
    **_table("vehicle_distance", vkm="1"),
    **_table("room_night", **{"room-night": "1"}),
    **_table("meal", meal="1"),
}

ALIASES: dict[str, str] = {
    "m³": "m3",
    "Nm³": "Nm3",
    "l": "L",
    "tonne": "t",
    "passenger-km": "pkm",
    "vehicle-km": "vkm",
    "room-nights": "room-night",
    "meals": "meal",
}

EMISSION_MASS_IN_KG: dict[str, Decimal] = {"g": Decimal("0.001"), "kg": Decimal("1"), "t": Decimal("1000")}

_FACTOR_UNIT = re.compile(r"^(?P<mass>g|kg|t)(?P<gas>CO2e|CO2)/(?P<activity>\S+)$")


def unit(symbol: str) -> Unit:
    """The unit named `symbol` (aliases such as `m³` or `tonne` accepted)."""
    found = UNITS.get(ALIASES.get(symbol, symbol))
    if found is None:
        known = ", ".join(sorted(UNITS))
        raise UnknownUnit(f"Unknown unit {symbol!r}; known units are: {known}.", unit=symbol)
    return found


def _compatible(from_unit: str, to_unit: str) -> tuple[Unit, Unit]:
    source, target = unit(from_unit), unit(to_unit)
    if source.dimension != target.dimension:
        raise UnitMismatch(
            f"{from_unit} measures {source.dimension.replace('_', ' ')} and {to_unit} measures "
            f"{target.dimension.replace('_', ' ')}; one cannot be converted into the other.",
            from_unit=from_unit,
            to_unit=to_unit,
        )
    return source, target


@lru_cache(maxsize=256)
def conversion_ratio(from_unit: str, to_unit: str) -> Decimal | None:
    """How many `to_unit` one `from_unit` is (1000 for MWh to kWh); None if not a finite decimal (MJ to kWh)."""
    source, target = _compatible(from_unit, to_unit)
    try:
        ratio = EXACT.divide(source.to_base, target.to_base)
    except Inexact:
        return None
    return tidy(ratio)


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """`quantity` in `from_unit` expressed in `to_unit`, exactly, or InexactConversion."""
    source, target = _compatible(from_unit, to_unit)
    try:
        converted = EXACT.divide(EXACT.multiply(quantity, source.to_base), target.to_base)
    except Inexact:
        raise InexactConversion(
            f"{quantity} {from_unit} is not a finite decimal number of {to_unit}; enter the quantity "
            f"in {to_unit} or choose a factor expressed per {from_unit}.",
            from_unit=from_unit,
            to_unit=to_unit,
        ) from None
    except (InvalidOperation, Overflow):
        raise InvalidQuantity(f"{quantity} {from_unit} cannot be converted exactly.") from None
    return tidy(converted)


def tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros or a positive exponent (643920, not 643920.0000 or 6.4392E+5)."""
    if value.is_zero():
        return Decimal(0)
    if value == value.to_integral_value():
        return value.quantize(_ONE, context=EXACT)
    return value.normalize(EXACT)


def product(*values: Decimal) -> Decimal:
    """The exact product of `values`, tidied."""
    result = _ONE
    try:
        for value in values:
            result = EXACT.multiply(result, value)
    except (Inexact, InvalidOperation, Overflow):
        raise InvalidQuantity("The product has too many digits to be represented exactly.") from None
    return tidy(result)


def total(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of `values` (0 when empty), tidied."""
    result = Decimal(0)
    try:
        for value in values:
            result = EXACT.add(result, value)
    except (Inexact, InvalidOperation, Overflow):
        raise InvalidQuantity("The sum has too many digits to be represented exactly.") from None
    return tidy(result)


@dataclass(frozen=True)
class FactorUnit:
    """An emission factor unit such as `kgCO2/kWh`: emitted mass unit, gas basis and activity unit."""

    mass: str
    gas: GasBasis
    activity: str

    @property
    def symbol(self) -> str:
        """The unit as written, e.g. `tCO2/t`."""
        return f"{self.mass}{self.gas}/{self.activity}"

    @property
    def kg_per_mass_unit(self) -> Decimal:
        """Kilograms in one emitted mass unit (1000 for t)."""
        return EMISSION_MASS_IN_KG[self.mass]


@lru_cache(maxsize=256)
def parse_factor_unit(text: str) -> FactorUnit:
    """Read an emission factor unit written `<g|kg|t><CO2|CO2e>/<activity unit>`."""
    match = _FACTOR_UNIT.match(text.strip())
    if match is None:
        raise UnknownUnit(
            f"Cannot read the factor unit {text!r}; write it as e.g. kgCO2/kWh, tCO2/t or gCO2e/pkm.",
            unit=text,
        )
    activity = unit(match["activity"]).symbol
    gas: GasBasis = "CO2e" if match["gas"] == "CO2e" else "CO2"
    return FactorUnit(mass=match["mass"], gas=gas, activity=activity)


def require_finite_non_negative(value: Decimal, what: str) -> None:
    """Refuse negative, NaN and infinite quantities."""
    if not value.is_finite():
        raise InvalidQuantity(f"{what} must be a finite number, not {value}.")
    if value < 0:
        raise InvalidQuantity(f"{what} must not be negative (got {value}).")
