"""Emissions per activity line with traces, and totals: known answers worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.accounting.errors import InvalidActivityLine, InvalidQuantity, UnitMismatch, UnknownFactor, UnknownUnit
from services.accounting.factors.library import default_library
from services.accounting.inventory.calculation import calculate_inventory, calculate_line
from services.accounting.inventory.display import format_kgco2e, format_tco2e
from services.accounting.inventory.lines import ActivityLine, CustomFactor
from services.accounting.inventory.vocabulary import Category, Phase

LIBRARY = default_library()

# (category, quantity, unit, factor id, kgCO2e worked out by hand from the factor table)
KNOWN_ANSWERS = [
    # 1,500 Nm3 × 2.162 kgCO2/Nm3 = 3,243 kg
    (Category.FIXED_COMBUSTION, "1500", "Nm3", "fuel.natural-gas.gbt32151", Decimal("3243")),
    # 0.8 t × 3.101 tCO2/t = 2.4808 t = 2,480.8 kg
    (Category.FIXED_COMBUSTION, "0.8", "t", "fuel.lpg.gbt32151", Decimal("2480.8")),
    # 1,200 L × 2.60064 kgCO2/L = 3,120.768 kg
    (Category.MOBILE_COMBUSTION, "1200", "L", "fuel.diesel.gbt32151.volume", Decimal("3120.768")),
    # 2.5 t × 2.925 tCO2/t = 7.3125 t = 7,312.5 kg
    (Category.MOBILE_COMBUSTION, "2.5", "t", "fuel.gasoline.gbt32151", Decimal("7312.5")),
    # 1,200 MWh = 1,200,000 kWh × 0.5366 kgCO2/kWh = 643,920 kg
    (Category.PURCHASED_ELECTRICITY, "1200", "MWh", "grid.cn.national.2022", Decimal("643920")),
    # 50,000 kWh × 0.6410 kgCO2/kWh = 32,050 kg
    (Category.PURCHASED_ELECTRICITY, "50000", "kWh", "grid.cn.shandong.2022", Decimal("32050")),
    # 250 GJ × 0.11 tCO2/GJ = 27.5 t = 27,500 kg
    (Category.PURCHASED_HEAT, "250", "GJ", "heat.cn.default", Decimal("27500")),
    # 1,000 kWh = 3.6 GJ × 0.11 tCO2/GJ = 0.396 t = 396 kg
    (Category.PURCHASED_HEAT, "1000", "kWh", "heat.cn.default", Decimal("396")),
    # 400,000 pkm × 112.9 gCO2/pkm = 45,160,000 g = 45,160 kg
    (Category.TRAVEL, "400000", "pkm", "transport.flight.domestic.cn.full-process.2019", Decimal("45160")),
    # 120,000 pkm × 30.48 gCO2/pkm = 3,657,600 g = 3,657.6 kg
    (Category.TRAVEL, "120000", "pkm", "transport.hsr.cn.full-process.2019", Decimal("3657.6")),
    # 5,000 pkm × 0.02776 kgCO2e/pkm = 138.8 kg
    (Category.TRAVEL, "5000", "pkm", "transport.coach.gb.2025", Decimal("138.8")),
    # 300 room-nights × 53.5 kgCO2e = 16,050 kg
    (Category.ACCOMMODATION, "300", "room-night", "accommodation.hotel.cn.desnz-2025", Decimal("16050")),
    # 1,200 meals × 8 kgCO2e = 9,600 kg
    (Category.CATERING, "1200", "meal", "catering.meal.proxy", Decimal("9600")),
    # 0.75 t × 1,345 kgCO2e/t = 1,008.75 kg
    (Category.MATERIALS, "0.75", "t", "material.paper.virgin.desnz-2025", Decimal("1008.75")),
    # 120 kg = 0.12 t × 3,164.78 kgCO2e/t = 379.7736 kg
    (Category.MATERIALS, "120", "kg", "material.plastics.average.desnz-2024", Decimal("379.7736")),
    # 2.4 t × 700 kgCO2e/t = 1,680 kg
    (Category.WASTE, "2.4", "t", "waste.landfill.food.desnz", Decimal("1680")),
    # 350 kg = 0.35 t × 2,750 kgCO2/t = 962.5 kg
    (Category.WASTE, "350", "kg", "waste.incineration.plastics.ipcc2006", Decimal("962.5")),
    # 800 m3 × 0.191 kgCO2e/m3 = 152.8 kg
    (Category.WATER, "800", "m3", "water.supply.desnz-2025", Decimal("152.8")),
    # 800,000 L = 800 m3 × 0.171 kgCO2e/m3 = 136.8 kg
    (Category.WATER, "800000", "L", "water.treatment.desnz-2025", Decimal("136.8")),
]


def line(category: Category, quantity: str, unit: str, factor_id: str, **extra: object) -> ActivityLine:
    return ActivityLine.model_validate(
        {"category": category, "quantity": Decimal(quantity), "unit": unit, "factor_id": factor_id, **extra}
    )


@pytest.mark.parametrize(("category", "quantity", "unit", "factor_id", "expected"), KNOWN_ANSWERS)
def test_known_answer_per_source_type(
    category: Category, quantity: str, unit: str, factor_id: str, expected: Decimal
) -> None:
    result = calculate_line(line(category, quantity, unit, factor_id), LIBRARY)
    assert result.location_based_kgco2e == expected
    assert result.trace.factor_id == factor_id
    assert result.trace.emissions_kgco2e == expected


def test_every_source_type_has_a_known_answer() -> None:
    assert {case[0] for case in KNOWN_ANSWERS} == set(Category)


@pytest.mark.parametrize(
    ("case", "arithmetic"),
    [
        (4, "1,200 MWh × 1000 kWh/MWh × 0.5366 kgCO2/kWh = 643,920 kgCO2"),
        (3, "2.5 t × 2.925 tCO2/t × 1000 kgCO2/tCO2 = 7,312.5 kgCO2"),
        (8, "400,000 pkm × 112.9 gCO2/pkm × 0.001 kgCO2/gCO2 = 45,160 kgCO2"),
        (14, "120 kg × 0.001 t/kg × 3164.78 kgCO2e/t = 379.7736 kgCO2e"),
        (11, "300 room-night × 53.5 kgCO2e/room-night = 16,050 kgCO2e"),
    ],
)
def test_trace_spells_out_the_arithmetic(case: int, arithmetic: str) -> None:
    category, quantity, unit, factor_id, _ = KNOWN_ANSWERS[case]
    assert calculate_line(line(category, quantity, unit, factor_id), LIBRARY).trace.arithmetic == arithmetic


def test_trace_carries_factor_value_unit_source_and_converted_quantity() -> None:
    trace = calculate_line(line(Category.PURCHASED_ELECTRICITY, "1200", "MWh", "grid.cn.national.2022"), LIBRARY).trace
    assert (trace.factor_value, trace.factor_unit, trace.gas_basis) == (Decimal("0.5366"), "kgCO2/kWh", "CO2")
    assert (trace.converted_quantity, trace.activity_unit, trace.conversion_ratio) == (
        Decimal("1200000"),
        "kWh",
        Decimal("1000"),
    )
    assert "生态环境部 国家统计局" in trace.source and trace.verified and trace.flag is None


def test_trace_of_a_flagged_factor_carries_the_flag() -> None:
    trace = calculate_line(line(Category.CATERING, "10", "meal", "catering.meal.proxy"), LIBRARY).trace
    assert trace.verified is False
    assert trace.flag is not None and "proxy" in trace.flag


def inventory_lines() -> list[ActivityLine]:
    return [
        line(Category.FIXED_COMBUSTION, "1500", "Nm3", "fuel.natural-gas.gbt32151"),
        line(Category.MOBILE_COMBUSTION, "1200", "L", "fuel.diesel.gbt32151.volume"),
        line(Category.PURCHASED_ELECTRICITY, "1200", "MWh", "grid.cn.national.2022"),
        line(Category.PURCHASED_HEAT, "250", "GJ", "heat.cn.default"),
        line(Category.TRAVEL, "400000", "pkm", "transport.flight.domestic.cn.full-process.2019"),
        line(Category.ACCOMMODATION, "300", "room-night", "accommodation.hotel.cn.desnz-2025"),
        line(Category.CATERING, "1200", "meal", "catering.meal.proxy"),
        line(Category.MATERIALS, "0.75", "t", "material.paper.virgin.desnz-2025", phase="preparation"),
        line(Category.WASTE, "2.4", "t", "waste.landfill.food.desnz", phase="wrap_up"),
        line(Category.WATER, "800", "m3", "water.supply.desnz-2025"),
    ]


def test_totals_by_scope_source_type_and_phase() -> None:
    result = calculate_inventory(inventory_lines(), LIBRARY)
    # scope 1: 3,243 + 3,120.768; scope 2: 643,920 + 27,500;
    # scope 3: 45,160 + 16,050 + 9,600 + 1,008.75 + 1,680 + 152.8
    assert result.accounted.by_scope == {1: Decimal("6363.768"), 2: Decimal("671420"), 3: Decimal("73651.55")}
    assert result.total_kgco2e == Decimal("751435.318")
    assert result.accounted.by_category[Category.PURCHASED_ELECTRICITY] == Decimal("643920")
    assert result.accounted.by_category[Category.WATER] == Decimal("152.8")
    assert result.accounted.by_phase == {
        Phase.PREPARATION: Decimal("1008.75"),
        Phase.HOLDING: Decimal("748746.568"),
        Phase.WRAP_UP: Decimal("1680"),
    }
    assert result.factor_dataset_version == "2026.1"


def test_electricity_is_reported_location_and_market_based() -> None:
    result = calculate_inventory(inventory_lines(), LIBRARY)
    assert result.accounted_basis == "location_based"
    # market-based: 1,200,000 kWh × 0.5856 = 702,720 kg instead of 643,920 kg
    assert result.market_based.by_category[Category.PURCHASED_ELECTRICITY] == Decimal("702720")
    assert result.market_based.total_kgco2e == Decimal("810235.318")
    assert result.location_based.total_kgco2e == Decimal("751435.318")


def test_totals_stay_exact_and_only_display_rounds() -> None:
    result = calculate_line(line(Category.PURCHASED_ELECTRICITY, "0.000001", "kWh", "grid.cn.national.2022"), LIBRARY)
    assert result.location_based_kgco2e == Decimal("0.0000005366")
    assert format_kgco2e(Decimal("643920.125")) == "643,920.12 kgCO2e"
    assert format_tco2e(Decimal("751435.318")) == "751.435 tCO2e"


def test_zero_quantity_is_zero_emissions() -> None:
    assert (
        calculate_line(line(Category.WATER, "0", "m3", "water.supply.desnz-2025"), LIBRARY).location_based_kgco2e == 0
    )


def test_custom_factor_is_used_and_traced() -> None:
    custom = ActivityLine(
        category=Category.PURCHASED_ELECTRICITY,
        quantity=Decimal("500"),
        unit="kWh",
        custom_factor=CustomFactor(value=Decimal("0.42"), unit="kgCO2e/kWh", source="Venue supplier statement 2025"),
    )
    result = calculate_line(custom, LIBRARY)
    # 500 kWh × 0.42 kgCO2e/kWh = 210 kg
    assert result.location_based_kgco2e == Decimal("210")
    assert result.trace.factor_id is None
    assert result.trace.source == "Venue supplier statement 2025"
    assert result.trace.verified is False


@pytest.mark.parametrize("quantity", ["-1", "-0.001"])
def test_refuses_negative_quantities(quantity: str) -> None:
    with pytest.raises(InvalidQuantity, match="Line 3: The quantity must not be negative") as caught:
        calculate_line(line(Category.WATER, quantity, "m3", "water.supply.desnz-2025"), LIBRARY, index=3)
    assert caught.value.extensions["line"] == 3


@pytest.mark.parametrize("quantity", ["NaN", "Infinity"])
def test_refuses_non_finite_quantities(quantity: str) -> None:
    with pytest.raises(ValidationError, match="finite"):
        line(Category.WATER, quantity, "m3", "water.supply.desnz-2025")


def test_names_the_line_of_an_unknown_factor() -> None:
    lines = [line(Category.WATER, "1", "m3", "water.supply.desnz-2025"), line(Category.WATER, "1", "m3", "water.x")]
    with pytest.raises(UnknownFactor, match="Line 1: .*'water.x'"):
        calculate_inventory(lines, LIBRARY)


def test_refuses_a_unit_that_does_not_fit_the_factor() -> None:
    with pytest.raises(UnitMismatch, match="t measures mass and kWh measures energy"):
        calculate_line(line(Category.PURCHASED_ELECTRICITY, "1", "t", "grid.cn.national.2022"), LIBRARY)


def test_refuses_a_factor_of_another_source_type() -> None:
    with pytest.raises(InvalidActivityLine, match="purchased_electricity factor and cannot be used for purchased_heat"):
        calculate_line(line(Category.PURCHASED_HEAT, "1", "kWh", "grid.cn.national.2022"), LIBRARY)


def test_accepts_a_factor_listed_for_a_second_source_type() -> None:
    # 10 t diesel in a stationary generator × 3.096 tCO2/t = 30,960 kg
    result = calculate_line(line(Category.FIXED_COMBUSTION, "10", "t", "fuel.diesel.gbt32151"), LIBRARY)
    assert result.location_based_kgco2e == Decimal("30960") and result.scope == 1


def test_refuses_lines_with_both_or_neither_factor() -> None:
    both = line(Category.WATER, "1", "m3", "water.supply.desnz-2025").model_copy(
        update={"custom_factor": CustomFactor(value=Decimal("1"), unit="kgCO2e/m3", source="x")}
    )
    neither = line(Category.WATER, "1", "m3", "water.supply.desnz-2025").model_copy(update={"factor_id": None})
    for bad in (both, neither):
        with pytest.raises(InvalidActivityLine, match="exactly one of factor_id and custom_factor"):
            calculate_line(bad, LIBRARY)


@pytest.mark.parametrize(
    ("custom", "error"),
    [
        (CustomFactor(value=Decimal("-0.1"), unit="kgCO2e/m3", source="x"), InvalidQuantity),
        (CustomFactor(value=Decimal("0.1"), unit="kgCO2e/m3", source="  "), InvalidActivityLine),
        (CustomFactor(value=Decimal("0.1"), unit="kgCH4/m3", source="x"), UnknownUnit),
    ],
)
def test_refuses_bad_custom_factors(custom: CustomFactor, error: type[Exception]) -> None:
    bad = ActivityLine(category=Category.WATER, quantity=Decimal("1"), unit="m3", custom_factor=custom)
    with pytest.raises(error):
        calculate_line(bad, LIBRARY)


def test_evidence_hash_must_be_a_sha256_hex_digest() -> None:
    digest = "ab" * 32
    assert line(Category.WATER, "1", "m3", "water.supply.desnz-2025", evidence_sha256=digest).evidence_sha256 == digest
    with pytest.raises(ValidationError):
        line(Category.WATER, "1", "m3", "water.supply.desnz-2025", evidence_sha256="not-a-hash")


def test_activity_lines_reject_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        line(Category.WATER, "1", "m3", "water.supply.desnz-2025", colour="blue")


def test_results_serialize_decimals_as_strings() -> None:
    result = calculate_inventory([line(Category.WATER, "800", "m3", "water.supply.desnz-2025")], LIBRARY)
    dumped = result.model_dump(mode="json")
    assert dumped["accounted"]["total_kgco2e"] == "152.8"
    assert dumped["lines"][0]["trace"]["factor"]["value"] == "0.191"
