"""Implementation plans through the gateway: boundary, estimate worked out by hand, priority preview."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.accounting.conftest import Organizer, boundary, line


def plan_body(**changes: Any) -> dict[str, Any]:
    """A Hainan exhibition's plan: venue power, a headcount by high-speed rail, measures and offsets."""
    body: dict[str, Any] = {
        "boundary": boundary(),
        "estimated_lines": [
            {"category": "purchased_electricity", "quantity": "1200", "unit": "MWh", "factor_id": "grid.cn.hainan.2022"}
        ],
        "participant_estimate": {
            "headcount": 1000,
            "days": 2,
            "origin_mix": [{"mode": "high_speed_rail", "share": "1", "one_way_km": "300"}],
        },
        "reduction_measures": [
            {
                "name": "100 % green power at the venue",
                "category": "purchased_electricity",
                "expected_kgco2e": "502080",
            },
            {"name": "No disposable plastics", "category": "materials", "expected_kgco2e": "1200.5"},
        ],
        "planned_offsets": [
            {"unit_type": "HNCI", "quantity_g": 220_000_000},
            {"unit_type": "HNCI", "offset_kind": "personal_carbon_inclusion", "quantity_g": 5_000_000},
            {"unit_type": "CCER", "project_province": "CN-HI", "quantity_g": 300_000_000},
            {"unit_type": "CCER", "quantity_g": 1_000_000},
            {"unit_type": "CEA", "quantity_g": 2_000_000},
            {"unit_type": "VCU", "quantity_g": 3_000_000},
            {"unit_type": "SDCI", "quantity_g": 4_000_000},
        ],
    }
    body.update(changes)
    return body


def test_a_plan_is_estimated_and_its_offsets_ranked_in_hainan_order(organizer: Organizer) -> None:
    event = organizer.create_event()
    response = organizer.put(f"events/{event['id']}/plan", plan_body())
    assert response.status_code == 200, response.text
    plan = response.json()
    # 1,200 MWh = 1,200,000 kWh × 0.4184 kgCO2/kWh = 502,080 kg
    # 1,000 people × 1 × 2 × 300 km = 600,000 pkm × 30.48 gCO2/pkm = 18,288 kg
    # 1,000 overnight × 2 nights ÷ 1 per room = 2,000 room-nights × 53.5 kgCO2e = 107,000 kg
    # 1,000 × 2 days × 2 meals = 4,000 meals × 8 kgCO2e = 32,000 kg
    estimate = plan["estimate"]
    assert Decimal(estimate["total_kgco2e"]) == Decimal("659368")
    assert Decimal(estimate["totals"]["by_source_type"]["travel"]) == Decimal("18288")
    assert Decimal(estimate["totals"]["by_scope"]["2"]) == Decimal("502080")
    assert len(estimate["lines"]) == 4
    assert estimate["lines"][0]["trace"]["arithmetic"] == (
        "1,200 MWh × 1000 kWh/MWh × 0.4184 kgCO2/kWh = 502,080 kgCO2"
    )
    assert [entry["category"] for entry in estimate["lines"][1:]] == ["travel", "accommodation", "catering"]
    assert Decimal(plan["reduction_total_kgco2e"]) == Decimal("503280.5")
    tiers = [(o["unit_type"], o["offset_kind"], o["priority_tier"]) for o in plan["planned_offsets"]]
    assert tiers == [
        ("HNCI", None, 2),
        ("HNCI", "personal_carbon_inclusion", 1),
        ("CCER", "ccer_in_province", 3),
        ("CCER", "ccer", None),
        ("CEA", "cea", 4),
        ("VCU", "vcu", 5),
        ("SDCI", None, None),
    ]
    preview = plan["priority_preview"]
    assert [t["quantity_g"] for t in preview["tiers"]] == [5_000_000, 220_000_000, 300_000_000, 2_000_000, 3_000_000]
    assert preview["unranked_quantity_g"] == 5_000_000
    unranked = {o["unit_type"]: o for o in preview["offsets"] if o["priority_tier"] is None}
    assert unranked["CCER"]["accepted"] is True
    assert "outside its recommended order" in unranked["CCER"]["reason"]
    assert "not named in the recommended order" in unranked["SDCI"]["reason"]


def test_shandong_ranks_its_own_credits_first_and_states_the_sink_conditions(organizer: Organizer) -> None:
    event = organizer.create_event(jurisdiction="CN-SD", expected_participants=30000, kind="sports")
    offsets = [
        {"unit_type": "SDCI", "offset_kind": "forestry_sink", "quantity_g": 600_000_000},
        {"unit_type": "SDCI", "quantity_g": 10_000_000},
        {"unit_type": "CCER", "project_province": "CN-SD", "quantity_g": 20_000_000},
        {"unit_type": "CEA", "quantity_g": 30_000_000},
        {"unit_type": "CER", "quantity_g": 40_000_000},
        {"unit_type": "HNCI", "quantity_g": 50_000_000},
    ]
    response = organizer.put(f"events/{event['id']}/plan", plan_body(planned_offsets=offsets))
    assert response.status_code == 200, response.text
    preview = response.json()["priority_preview"]
    assert [o["priority_tier"] for o in preview["offsets"]] == [1, 1, 2, 3, None, None]
    assert [t["quantity_g"] for t in preview["tiers"]] == [610_000_000, 20_000_000, 30_000_000]
    assert preview["unranked_quantity_g"] == 90_000_000
    assert [c["id"] for c in preview["constraints"]] == ["new-sink-exclusive"]
    assert {d["id"] for d in preview["deadlines"]} == {"sink-project-application", "sink-measurement-and-validation"}


def test_the_event_shows_the_public_part_of_its_plan(organizer: Organizer, reader: Organizer) -> None:
    event = organizer.create_event()
    organizer.put(f"events/{event['id']}/plan", plan_body())
    shown = reader.event(event["id"])["plan"]
    assert shown["estimated_kgco2e"] == "659368"
    assert shown["reduction_measures"][0] == {
        "name": "100 % green power at the venue",
        "category": "purchased_electricity",
        "expected_kgco2e": "502080",
    }
    assert shown["planned_offsets"][1] == {
        "unit_type": "HNCI",
        "offset_kind": "personal_carbon_inclusion",
        "quantity_g": 5_000_000,
        "priority_tier": 1,
    }
    assert len(shown["boundary"]) == 10
    assert reader.get(f"events/{event['id']}/plan").json()["estimate"]["total_kgco2e"] == "659368"


def test_saving_again_replaces_the_plan(organizer: Organizer) -> None:
    event = organizer.create_event()
    first = organizer.put(f"events/{event['id']}/plan", plan_body()).json()
    second = organizer.put(f"events/{event['id']}/plan", plan_body(planned_offsets=[], participant_estimate=None))
    assert second.json()["revision"] == first["revision"] + 1
    assert second.json()["estimate"]["total_kgco2e"] == "502080"
    assert organizer.event(event["id"])["plan"]["planned_offsets"] == []


def test_a_boundary_must_cover_every_source_type_once(organizer: Organizer) -> None:
    event = organizer.create_event()
    gaps = organizer.put(f"events/{event['id']}/plan", plan_body(boundary=boundary()[:-1]))
    assert gaps.status_code == 422
    assert gaps.json()["type"].endswith("/invalid-plan")
    assert gaps.json()["missing"] == ["water"]
    twice = organizer.put(f"events/{event['id']}/plan", plan_body(boundary=[*boundary()[:-1], boundary()[0]]))
    assert twice.status_code == 422
    assert twice.json()["repeated"] == ["fixed_combustion"]
    assert organizer.get(f"events/{event['id']}/plan").status_code == 404
    assert organizer.event(event["id"])["plan"] is None


def test_estimated_lines_outside_the_boundary_are_refused(organizer: Organizer) -> None:
    event = organizer.create_event()
    response = organizer.put(f"events/{event['id']}/plan", plan_body(boundary=boundary(excluded=("accommodation",))))
    assert response.status_code == 422
    assert response.json()["category"] == "accommodation"
    assert organizer.get(f"events/{event['id']}/plan").status_code == 404


def test_bad_plan_input_is_refused(organizer: Organizer) -> None:
    event = organizer.create_event()
    path = f"events/{event['id']}/plan"
    negative = plan_body(reduction_measures=[{"name": "x", "expected_kgco2e": "-1"}])
    assert organizer.put(path, negative).status_code == 422
    fraction = plan_body(planned_offsets=[{"unit_type": "HNCI", "quantity_g": 1.5}])
    assert organizer.put(path, fraction).status_code == 422
    shares = plan_body(
        participant_estimate={
            "headcount": 10,
            "days": 1,
            "origin_mix": [{"mode": "flight", "share": "0.5", "one_way_km": "100"}],
        }
    )
    refused = organizer.put(path, shares)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/invalid-estimate")
    unknown = plan_body(estimated_lines=[line("travel", "10", "furlong", "transport.coach.gb.2025")])
    assert organizer.put(path, unknown).json()["type"].endswith("/unknown-unit")
    assert organizer.get(path).status_code == 404


def test_only_the_owner_saves_a_plan(organizer: Organizer, rival: Organizer) -> None:
    event = organizer.create_event()
    assert rival.put(f"events/{event['id']}/plan", plan_body()).status_code == 403
    assert organizer.put("events/evt_missing/plan", plan_body()).status_code == 404
    assert organizer.get(f"events/{event['id']}/plan").status_code == 404
