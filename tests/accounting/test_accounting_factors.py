"""The emission factor library: values as sourced, every factor with a source, flags where due."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from services.accounting.errors import FactorDatasetError, UnknownFactor
from services.accounting.factors.library import dataset_path, default_library, load_library
from services.accounting.inventory.units import unit
from services.accounting.inventory.vocabulary import Category

LIBRARY = default_library()

# Values as listed in the project's factor source list.
SOURCED_VALUES = {
    "grid.cn.national.2021": ("0.5568", "kgCO2/kWh"),
    "grid.cn.national.2022": ("0.5366", "kgCO2/kWh"),
    "grid.cn.national.2023": ("0.5306", "kgCO2/kWh"),
    "grid.cn.national.residual.2022": ("0.5856", "kgCO2/kWh"),
    "grid.cn.national.fossil.2022": ("0.8325", "kgCO2/kWh"),
    "grid.cn.north.2022": ("0.6776", "kgCO2/kWh"),
    "grid.cn.northeast.2022": ("0.5564", "kgCO2/kWh"),
    "grid.cn.east.2022": ("0.5617", "kgCO2/kWh"),
    "grid.cn.central.2022": ("0.5395", "kgCO2/kWh"),
    "grid.cn.northwest.2022": ("0.5857", "kgCO2/kWh"),
    "grid.cn.south.2022": ("0.3869", "kgCO2/kWh"),
    "grid.cn.southwest.2022": ("0.2268", "kgCO2/kWh"),
    "grid.cn.north.2023": ("0.6361", "kgCO2/kWh"),
    "grid.cn.northeast.2023": ("0.5122", "kgCO2/kWh"),
    "grid.cn.east.2023": ("0.5500", "kgCO2/kWh"),
    "grid.cn.central.2023": ("0.5271", "kgCO2/kWh"),
    "grid.cn.northwest.2023": ("0.5543", "kgCO2/kWh"),
    "grid.cn.hainan.2021": ("0.4524", "kgCO2/kWh"),
    "grid.cn.hainan.2022": ("0.4184", "kgCO2/kWh"),
    "grid.cn.shandong.2021": ("0.6838", "kgCO2/kWh"),
    "grid.cn.shandong.2022": ("0.6410", "kgCO2/kWh"),
    "fuel.natural-gas.gbt32151": ("2.162", "kgCO2/Nm3"),
    "fuel.diesel.gbt32151": ("3.096", "tCO2/t"),
    "fuel.gasoline.gbt32151": ("2.925", "tCO2/t"),
    "heat.cn.default": ("0.11", "tCO2/GJ"),
    "transport.flight.domestic.cn.2019": ("95.3", "gCO2/pkm"),
    "transport.hsr.cn.full-process.2019": ("30.48", "gCO2/pkm"),
    "transport.metro.cn-sz": ("46.8", "gCO2/pkm"),
    "transport.bus.electric.cn-sz": ("26.9", "gCO2/pkm"),
    "transport.car.petrol.cn.cpcd": ("0.19567", "kgCO2e/vkm"),
    "transport.coach.gb.2025": ("0.02776", "kgCO2e/pkm"),
    "transport.flight.domestic.gb-rf.2025": ("0.22928", "kgCO2e/pkm"),
    "transport.flight.short-haul.gb-rf.2025": ("0.12786", "kgCO2e/pkm"),
    "transport.flight.long-haul.gb-rf.2025": ("0.15282", "kgCO2e/pkm"),
    "accommodation.hotel.cn.desnz-2025": ("53.5", "kgCO2e/room-night"),
    "catering.meal.proxy": ("8", "kgCO2e/meal"),
    "material.paper.virgin.desnz-2025": ("1345", "kgCO2e/t"),
    "waste.landfill.paper.desnz": ("1164", "kgCO2e/t"),
    "waste.landfill.food.desnz": ("700", "kgCO2e/t"),
    "waste.landfill.mixed-commercial.desnz": ("520", "kgCO2e/t"),
    "water.supply.desnz-2025": ("0.191", "kgCO2e/m3"),
    "water.treatment.desnz-2025": ("0.171", "kgCO2e/m3"),
}

# Marked [verify] in the source list, secondary, transcribed, proxies or our own derivations.
MUST_BE_FLAGGED = [
    "grid.cn.national.2023",
    "grid.cn.north.2023",
    "grid.cn.hainan.2022",
    "grid.cn.shandong.2022",
    "fuel.natural-gas.gbt32151",
    "fuel.diesel.gbt32151",
    "fuel.lpg.gbt32151",
    "heat.cn.default",
    "transport.flight.domestic.cn.2019",
    "transport.rail.cn.hsr-proxy",
    "transport.taxi.cn.single-fare",
    "transport.car.petrol.cn.cpcd",
    "catering.meal.proxy",
    "material.plastics.average.desnz-2024",
    "waste.incineration.plastics.ipcc2006",
]

OFFICIAL = ["grid.cn.national.2021", "grid.cn.national.2022", "grid.cn.national.residual.2022"]


def test_dataset_carries_its_version() -> None:
    assert (LIBRARY.dataset, LIBRARY.version) == ("lingtan-emission-factors", "2026.1")


@pytest.mark.parametrize(("factor_id", "value_and_unit"), SOURCED_VALUES.items())
def test_values_match_the_source_list(factor_id: str, value_and_unit: tuple[str, str]) -> None:
    factor = LIBRARY.get(factor_id)
    assert (factor.value, factor.unit) == (Decimal(value_and_unit[0]), value_and_unit[1])


def test_every_factor_has_a_source() -> None:
    for factor in LIBRARY.list():
        assert factor.source.document.strip(), factor.id
        assert factor.source.table.strip(), factor.id
        assert factor.source.citation.strip(), factor.id
        assert factor.boundary_notes.strip(), factor.id


def test_unverified_factors_carry_a_flag_and_verified_ones_none() -> None:
    for factor in LIBRARY.list():
        if factor.verified:
            assert factor.flag is None, factor.id
        else:
            assert factor.flag and len(factor.flag.strip()) > 20, factor.id


@pytest.mark.parametrize("factor_id", MUST_BE_FLAGGED)
def test_secondary_and_derived_values_are_flagged(factor_id: str) -> None:
    assert LIBRARY.get(factor_id).verified is False


@pytest.mark.parametrize("factor_id", OFFICIAL)
def test_official_values_are_not_flagged(factor_id: str) -> None:
    assert LIBRARY.get(factor_id).verified is True


def test_lpg_documents_its_derivation() -> None:
    lpg = LIBRARY.get("fuel.lpg.gbt32151")
    assert lpg.value == Decimal("3.101")
    assert lpg.derivation is not None
    assert "50.179 GJ/t" in lpg.derivation and "17.20 tC/TJ" in lpg.derivation and "98 %" in lpg.derivation


def test_units_are_consistent_with_activity_units_and_gas_basis() -> None:
    for factor in LIBRARY.list():
        assert factor.factor_unit.activity == unit(factor.activity_unit).symbol, factor.id
        assert factor.factor_unit.gas == factor.gas_basis, factor.id


def test_every_source_type_has_factors() -> None:
    for category in Category:
        assert LIBRARY.list(category=category), category


def test_ids_are_unique_stable_slugs() -> None:
    ids = [factor.id for factor in LIBRARY.list()]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i for i in ids)


def test_lists_with_filters() -> None:
    shandong = LIBRARY.list(category=Category.PURCHASED_ELECTRICITY, geography="CN-SD")
    assert [f.id for f in shandong] == ["grid.cn.shandong.2021", "grid.cn.shandong.2022"]
    assert {f.year for f in LIBRARY.list(category=Category.PURCHASED_ELECTRICITY, year=2023)} == {2023}
    assert all(f.verified for f in LIBRARY.list(verified=True))
    assert "fuel.diesel.gbt32151" in [f.id for f in LIBRARY.list(category=Category.FIXED_COMBUSTION)]


def test_unknown_factor_is_refused_with_its_id() -> None:
    with pytest.raises(UnknownFactor, match="grid.cn.atlantis.2022") as caught:
        LIBRARY.get("grid.cn.atlantis.2022")
    assert caught.value.extensions["dataset_version"] == "2026.1"


def test_market_based_residual_is_the_2022_national_factor() -> None:
    assert LIBRARY.electricity.market_based_residual == "grid.cn.national.residual.2022"


def _write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = dataset_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "factors-2026.1.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('value = "0.5366"', "value = 0.5366", "written as strings"),
        ('id = "grid.cn.national.2021"', 'id = "grid.cn.national.2021"\ncolour = "green"', "colour"),
        ('id = "grid.cn.national.2022"', 'id = "grid.cn.national.2021"', "appears twice"),
        ('factor = "transport.metro.cn-sz"', 'factor = "transport.teleport"', "transport.teleport"),
        ('activity_unit = "room-night"', 'activity_unit = "meal"', "does not match"),
        ('value = "0.5366"', 'value = "-0.5366"', "non-negative"),
    ],
)
def test_invalid_datasets_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(FactorDatasetError, match=message):
        load_library(_write_variant(tmp_path, old, new))


def test_file_name_must_carry_the_version(tmp_path: Path) -> None:
    path = tmp_path / "factors-2099.9.toml"
    path.write_text(dataset_path().read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FactorDatasetError, match="declares version 2026.1"):
        load_library(path)
