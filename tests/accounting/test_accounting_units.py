"""Unit conversion: exact both ways, aliases, refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.accounting.errors import InexactConversion, UnitMismatch, UnknownUnit
from services.accounting.inventory.units import conversion_ratio, convert, parse_factor_unit

BOTH_WAYS = [
    ("1200", "MWh", "kWh", "1200000"),
    ("2", "GWh", "MWh", "2000"),
    ("0.5", "GWh", "kWh", "500000"),
    ("1.5", "t", "kg", "1500"),
    ("250", "g", "kg", "0.25"),
    ("3", "t", "g", "3000000"),
    ("3", "m3", "L", "3000"),
    ("2.5", "GJ", "MJ", "2500"),
    ("1", "TJ", "GJ", "1000"),
    ("1000", "kWh", "GJ", "3.6"),
    ("10", "kWh", "MJ", "36"),
    ("5", "MWh", "GJ", "18"),
    ("850", "m", "km", "0.85"),
    ("120", "pkm", "pkm", "120"),
    ("7", "Nm3", "Nm3", "7"),
    ("4", "room-night", "room-night", "4"),
    ("3", "meal", "meal", "3"),
]


@pytest.mark.parametrize(("quantity", "source", "target", "expected"), BOTH_WAYS)
def test_converts_forward(quantity: str, source: str, target: str, expected: str) -> None:
    assert convert(Decimal(quantity), source, target) == Decimal(expected)


@pytest.mark.parametrize(("quantity", "source", "target", "expected"), BOTH_WAYS)
def test_converts_back(quantity: str, source: str, target: str, expected: str) -> None:
    assert convert(Decimal(expected), target, source) == Decimal(quantity)


def test_results_are_written_without_exponent_or_trailing_zeros() -> None:
    assert str(convert(Decimal("1200.000"), "MWh", "kWh")) == "1200000"
    assert str(convert(Decimal("1500"), "kg", "t")) == "1.5"


@pytest.mark.parametrize(
    ("alias", "canonical"), [("m³", "m3"), ("tonne", "t"), ("l", "L"), ("Nm³", "Nm3"), ("room-nights", "room-night")]
)
def test_accepts_aliases(alias: str, canonical: str) -> None:
    assert convert(Decimal("2"), alias, canonical) == Decimal("2")


@pytest.mark.parametrize(
    ("source", "target"), [("kWh", "kg"), ("Nm3", "m3"), ("pkm", "km"), ("vkm", "pkm"), ("meal", "t")]
)
def test_refuses_units_of_different_kinds(source: str, target: str) -> None:
    with pytest.raises(UnitMismatch, match=f"{source} measures"):
        convert(Decimal("1"), source, target)


def test_refuses_unknown_units() -> None:
    with pytest.raises(UnknownUnit, match="furlong"):
        convert(Decimal("1"), "furlong", "km")


def test_refuses_conversions_without_a_finite_decimal_result() -> None:
    with pytest.raises(InexactConversion, match="1 GJ is not a finite decimal number of kWh"):
        convert(Decimal("1"), "GJ", "kWh")


def test_converts_when_the_result_is_exact_even_if_the_ratio_is_not() -> None:
    assert conversion_ratio("MJ", "kWh") is None
    assert conversion_ratio("kWh", "MJ") == Decimal("3.6")
    assert convert(Decimal("36"), "GJ", "kWh") == Decimal("10000")


ROUND_TRIPS = [("MWh", "kWh"), ("GWh", "kWh"), ("t", "kg"), ("g", "kg"), ("m3", "L"), ("GJ", "MJ"), ("kWh", "GJ")]


@given(
    quantity=st.decimals(min_value=0, max_value=10**12, places=6, allow_nan=False, allow_infinity=False),
    pair=st.sampled_from(ROUND_TRIPS),
)
def test_round_trip_returns_the_same_quantity(quantity: Decimal, pair: tuple[str, str]) -> None:
    source, target = pair
    assert convert(convert(quantity, source, target), target, source) == quantity


@pytest.mark.parametrize(
    ("text", "mass", "gas", "activity", "kg_per_unit"),
    [
        ("kgCO2/kWh", "kg", "CO2", "kWh", "1"),
        ("tCO2/t", "t", "CO2", "t", "1000"),
        ("gCO2e/pkm", "g", "CO2e", "pkm", "0.001"),
        ("kgCO2e/room-night", "kg", "CO2e", "room-night", "1"),
    ],
)
def test_reads_factor_units(text: str, mass: str, gas: str, activity: str, kg_per_unit: str) -> None:
    parsed = parse_factor_unit(text)
    assert (parsed.mass, parsed.gas, parsed.activity) == (mass, gas, activity)
    assert parsed.kg_per_mass_unit == Decimal(kg_per_unit)
    assert parsed.symbol == text


@pytest.mark.parametrize("text", ["kgCH4/kWh", "kgCO2/furlong", "kgCO2", "0.5 kgCO2/kWh"])
def test_refuses_unreadable_factor_units(text: str) -> None:
    with pytest.raises(UnknownUnit):
        parse_factor_unit(text)
