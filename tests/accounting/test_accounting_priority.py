"""Ranking planned offsets in a province's recommended order, without HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.accounting.events.policy import policy_document
from services.accounting.plans.priority import PlannedOffset, preview, rank
from services.accounting.policies.profiles import resolve
from services.accounting.policies.vocabulary import HostType, OffsetKind


def policy(jurisdiction: str) -> dict[str, Any]:
    """The stored policy of a 600-participant government event ending 1 June 2027."""
    return policy_document(resolve(jurisdiction, HostType.GOVERNMENT, 600, date(2027, 6, 1)))


@pytest.mark.parametrize(
    ("jurisdiction", "offset", "tier"),
    [
        ("CN-HI", PlannedOffset("HNCI", None, 1), 2),
        ("CN-HI", PlannedOffset("HNCI", OffsetKind.PERSONAL_CARBON_INCLUSION, 1), 1),
        ("CN-HI", PlannedOffset("CEA", OffsetKind.KEY_EMITTER_ALLOWANCE_DONATION, 1), 1),
        ("CN-HI", PlannedOffset("CCER", None, 1, "CN-HI"), 3),
        ("CN-HI", PlannedOffset("CCER", None, 1, "CN-SD"), None),
        ("CN-HI", PlannedOffset("CEA", None, 1), 4),
        ("CN-HI", PlannedOffset("CER", None, 1), 5),
        ("CN-HI", PlannedOffset("VCU", None, 1), 5),
        ("CN-SD", PlannedOffset("SDCI", None, 1), 1),
        ("CN-SD", PlannedOffset("SDCI", OffsetKind.OCEAN_SINK, 1), 1),
        ("CN-SD", PlannedOffset("CCER", None, 1, "CN-SD"), 2),
        ("CN-SD", PlannedOffset("GS", OffsetKind.OTHER_MECHANISM, 1), 2),
        ("CN-SD", PlannedOffset("CEA", None, 1), 3),
        ("CN-SD", PlannedOffset("VCU", None, 1), None),
        ("CN-SD", PlannedOffset("HNCI", None, 1), None),
        ("CN", PlannedOffset("CEA", None, 1), None),
    ],
)
def test_offsets_take_the_tier_of_their_kind_or_unit_type(
    jurisdiction: str, offset: PlannedOffset, tier: int | None
) -> None:
    assert rank(offset, policy(jurisdiction))["priority_tier"] == tier


def test_unranked_offsets_say_whether_the_province_accepts_them() -> None:
    hainan = policy("CN-HI")
    outside = rank(PlannedOffset("CCER", None, 1, "CN-SD"), hainan)
    assert (outside["offset_kind"], outside["accepted"]) == ("ccer", True)
    refused = rank(PlannedOffset("SDCI", OffsetKind.OCEAN_SINK, 1), hainan)
    assert refused["accepted"] is False
    assert "not among the offsets hainan-2023 accepts" in refused["reason"]
    unknown = rank(PlannedOffset("XYZ", None, 1), hainan)
    assert (unknown["offset_kind"], unknown["accepted"]) == (None, None)
    vague = rank(PlannedOffset("CCER", None, 1), hainan)
    assert "Give project_province" in vague["reason"]


def test_the_preview_adds_grams_per_tier_and_the_conditions_that_apply() -> None:
    offsets = [
        PlannedOffset("SDCI", OffsetKind.FORESTRY_SINK, 600),
        PlannedOffset("SDCI", None, 40),
        PlannedOffset("CEA", None, 7),
        PlannedOffset("VCU", None, 3),
    ]
    shown = preview(offsets, policy("CN-SD"))
    assert [tier["quantity_g"] for tier in shown["tiers"]] == [640, 0, 7]
    assert shown["unranked_quantity_g"] == 3
    assert [c["id"] for c in shown["constraints"]] == ["new-sink-exclusive"]
    assert [d["due_on"] for d in shown["deadlines"]] == ["2028-06-01", "2029-06-01"]
    assert preview([PlannedOffset("CEA", None, 7)], policy("CN-SD"))["constraints"] == []
