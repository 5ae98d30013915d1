"""Participant-based estimates: headcount, days and origin mix become estimated activity lines."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from services.accounting.errors import InvalidEstimate, InvalidQuantity
from services.accounting.factors.library import dataset_path, default_library, load_library
from services.accounting.inventory.calculation import calculate_inventory
from services.accounting.inventory.estimates import OriginShare, estimate_activity_lines
from services.accounting.inventory.lines import ActivityLine
from services.accounting.inventory.vocabulary import Category, DataQuality, Phase

LIBRARY = default_library()

MIX = [
    OriginShare(mode="flight", share=Decimal("0.3"), one_way_km=Decimal("1200")),
    OriginShare(mode="high_speed_rail", share=Decimal("0.5"), one_way_km=Decimal("400")),
    OriginShare(mode="metro", share=Decimal("0.2"), one_way_km=Decimal("15")),
]


def by_unit(lines: Sequence[ActivityLine]) -> dict[str, Decimal]:
    return {line.unit: line.quantity for line in lines if line.category != Category.TRAVEL}


def test_estimates_travel_hotel_and_meals() -> None:
    lines = estimate_activity_lines(1000, 3, MIX, LIBRARY)
    travel = [line for line in lines if line.category == Category.TRAVEL]
    # 1,000 × 0.3 × 2 × 1,200 km; 1,000 × 0.5 × 2 × 400 km; 1,000 × 0.2 × 2 × 15 km
    assert [line.quantity for line in travel] == [Decimal("720000"), Decimal("400000"), Decimal("6000")]
    assert [line.unit for line in travel] == ["pkm"] * 3
    # overnight: flight and rail, 0.8 × 1,000 × 3 nights = 2,400 room-nights; meals 1,000 × 3 days × 2
    assert by_unit(lines) == {"room-night": Decimal("2400"), "meal": Decimal("6000")}
    assert all(line.data_quality == DataQuality.ESTIMATED and line.phase == Phase.HOLDING for line in lines)


def test_estimated_lines_calculate_to_the_hand_total() -> None:
    result = calculate_inventory(estimate_activity_lines(1000, 3, MIX, LIBRARY), LIBRARY)
    # flight 720,000 pkm × 112.9 g = 81,288 kg; rail 400,000 pkm × 30.48 g = 12,192 kg;
    # metro 6,000 pkm × 46.8 g = 280.8 kg; hotel 2,400 × 53.5 = 128,400 kg; meals 6,000 × 8 = 48,000 kg
    assert result.total_kgco2e == Decimal("270160.8")


def test_mode_overnight_default_can_be_overridden() -> None:
    mix = [
        OriginShare(mode="car", share=Decimal("0.5"), one_way_km=Decimal("300"), overnight=True),
        OriginShare(mode="walk_or_cycle", share=Decimal("0.5"), one_way_km=Decimal("2")),
    ]
    lines = estimate_activity_lines(200, 2, mix, LIBRARY, phase=Phase.PREPARATION)
    # 200 × 0.5 × 2 nights = 200 room-nights; walkers produce no travel line; 200 × 2 × 2 = 800 meals
    assert by_unit(lines) == {"room-night": Decimal("200"), "meal": Decimal("800")}
    assert [line.quantity for line in lines if line.category == Category.TRAVEL] == [Decimal("60000")]
    assert {line.phase for line in lines} == {Phase.PREPARATION}


def test_assumptions_come_from_the_dataset(tmp_path: Path) -> None:
    text = dataset_path().read_text(encoding="utf-8")
    path = tmp_path / "factors-2026.1.toml"
    path.write_text(
        text.replace('meals_per_participant_day = "2"', 'meals_per_participant_day = "3"'), encoding="utf-8"
    )
    lines = estimate_activity_lines(1000, 3, MIX, load_library(path))
    assert by_unit(lines)["meal"] == Decimal("9000")


def test_shares_must_add_up_to_one() -> None:
    with pytest.raises(InvalidEstimate, match="add up to 0.9, not 1"):
        estimate_activity_lines(100, 1, MIX[:2] + [MIX[2].model_copy(update={"share": Decimal("0.1")})], LIBRARY)


def test_unknown_mode_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidEstimate, match="Unknown travel mode 'rocket'.*high_speed_rail"):
        estimate_activity_lines(
            100, 1, [OriginShare(mode="rocket", share=Decimal("1"), one_way_km=Decimal("1"))], LIBRARY
        )


@pytest.mark.parametrize(("headcount", "days"), [(-1, 1), (10, 0)])
def test_headcount_and_days_must_make_sense(headcount: int, days: int) -> None:
    with pytest.raises(InvalidEstimate):
        estimate_activity_lines(headcount, days, MIX, LIBRARY)


def test_negative_distance_is_refused() -> None:
    mix = [OriginShare(mode="coach", share=Decimal("1"), one_way_km=Decimal("-5"))]
    with pytest.raises(InvalidQuantity, match="one-way distance of coach"):
        estimate_activity_lines(10, 1, mix, LIBRARY)


def test_empty_mix_is_refused() -> None:
    with pytest.raises(InvalidEstimate, match="empty"):
        estimate_activity_lines(10, 1, [], LIBRARY)
