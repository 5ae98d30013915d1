"""Green electricity counts as zero only with certificate references; both bases are reported."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.accounting.errors import GreenCertificateRequired, InvalidActivityLine
from services.accounting.factors.library import default_library
from services.accounting.inventory.calculation import calculate_inventory
from services.accounting.inventory.lines import ActivityLine
from services.accounting.inventory.vocabulary import Category, DataQuality

LIBRARY = default_library()
CERTIFICATES = ("GEC-2024-000123", "GEC-2024-000124")


def electricity(mwh: str, *, green: bool = False, certificates: tuple[str, ...] = ()) -> ActivityLine:
    return ActivityLine(
        category=Category.PURCHASED_ELECTRICITY,
        quantity=Decimal(mwh),
        unit="MWh",
        factor_id="grid.cn.national.2022",
        green=green,
        green_certificates=certificates,
        data_quality=DataQuality.MEASURED,
    )


def test_certified_green_power_counts_as_zero_and_the_rest_at_the_residual_factor() -> None:
    result = calculate_inventory(
        [electricity("800", green=True, certificates=CERTIFICATES), electricity("200")], LIBRARY
    )
    assert result.accounted_basis == "market_based"
    # market-based: 800 MWh green × 0 + 200,000 kWh × 0.5856 kgCO2/kWh = 117,120 kg
    assert result.total_kgco2e == Decimal("117120")
    # location-based: 1,000,000 kWh × 0.5366 kgCO2/kWh = 536,600 kg
    assert result.location_based.total_kgco2e == Decimal("536600")
    green, grid = result.lines
    assert green.market_based_kgco2e == 0 and green.location_based_kgco2e == Decimal("429280")
    assert grid.market_based_kgco2e == Decimal("117120")


def test_green_line_trace_names_its_certificates() -> None:
    result = calculate_inventory([electricity("800", green=True, certificates=CERTIFICATES)], LIBRARY)
    trace = result.lines[0].market_based_trace
    assert trace is not None
    assert trace.arithmetic == (
        "800 MWh green electricity (certificates GEC-2024-000123, GEC-2024-000124) × 0 kgCO2/MWh = 0 kgCO2"
    )
    assert "GEC-2024-000123" in trace.source


def test_market_based_trace_of_grid_power_uses_the_residual_factor() -> None:
    trace = calculate_inventory([electricity("200")], LIBRARY).lines[0].market_based_trace
    assert trace is not None
    assert trace.factor_id == "grid.cn.national.residual.2022"
    assert trace.arithmetic == "200 MWh × 1000 kWh/MWh × 0.5856 kgCO2/kWh = 117,120 kgCO2"


def test_without_green_claims_the_accounted_total_is_location_based() -> None:
    result = calculate_inventory([electricity("200")], LIBRARY)
    assert result.accounted_basis == "location_based"
    # 200,000 kWh × 0.5366 = 107,320 kg; market-based view 200,000 kWh × 0.5856 = 117,120 kg
    assert result.total_kgco2e == Decimal("107320")
    assert result.market_based.total_kgco2e == Decimal("117120")


@pytest.mark.parametrize("certificates", [(), ("   ",)])
def test_green_power_without_certificates_is_refused(certificates: tuple[str, ...]) -> None:
    with pytest.raises(GreenCertificateRequired, match="certificates"):
        calculate_inventory([electricity("800", green=True, certificates=certificates)], LIBRARY)


def test_certificates_on_a_line_not_flagged_green_are_refused() -> None:
    with pytest.raises(InvalidActivityLine, match="not flagged green"):
        calculate_inventory([electricity("800", certificates=CERTIFICATES)], LIBRARY)


def test_only_electricity_can_be_green() -> None:
    heat = ActivityLine(
        category=Category.PURCHASED_HEAT,
        quantity=Decimal("10"),
        unit="GJ",
        factor_id="heat.cn.default",
        green=True,
        green_certificates=CERTIFICATES,
    )
    with pytest.raises(InvalidActivityLine, match="Only purchased electricity can be green"):
        calculate_inventory([heat], LIBRARY)


def test_a_certificate_claimed_twice_is_refused() -> None:
    lines = [
        electricity("400", green=True, certificates=("GEC-1",)),
        electricity("400", green=True, certificates=("GEC-2", "GEC-1")),
    ]
    with pytest.raises(InvalidActivityLine, match="GEC-1 is claimed on line 0 and again on line 1"):
        calculate_inventory(lines, LIBRARY)
