"""Inventories through the gateway: known-answer totals, green power, submission, amendments, refusals."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.accounting.conftest import Organizer, in_days, line
from tests.support.running import RunningPlatform

SHANDONG_FORUM = [
    # 8.5 MWh = 8,500 kWh × 0.6410 kgCO2/kWh = 5,448.5 kg (scope 2)
    line("purchased_electricity", "8.5", "MWh", "grid.cn.shandong.2022", evidence_sha256="ab" * 32),
    # 640 meals × 8 kgCO2e = 5,120 kg
    line("catering", "640", "meal", "catering.meal.proxy"),
    # 96,000 pkm × 30.48 gCO2/pkm = 2,926,080 g = 2,926.08 kg
    line("travel", "96000", "pkm", "transport.hsr.cn.full-process.2019"),
    # 120 kg = 0.12 t × 1,345 kgCO2e/t = 161.4 kg, while preparing
    line("materials", "120", "kg", "material.paper.virgin.desnz-2025", phase="preparation"),
    # 0.5 t × 700 kgCO2e/t = 350 kg, after the event
    line("waste", "0.5", "t", "waste.landfill.food.desnz", phase="wrap_up", data_quality="calculated"),
]


def inventory(lines: list[dict[str, Any]] | None = None, participants: int = 318) -> dict[str, Any]:
    """An inventory body."""
    return {"lines": SHANDONG_FORUM if lines is None else lines, "actual_participants": participants}


def forum(organizer: Organizer) -> str:
    """A Shandong industry forum of 320 participants (scenario 3), already held."""
    event = organizer.create_event(
        name="Shandong Industry Forum",
        jurisdiction="CN-SD",
        host_type="association",
        kind="forum",
        expected_participants=320,
        starts_at=in_days(-3),
        ends_at=in_days(-2),
    )
    return str(event["id"])


def test_totals_by_source_type_scope_and_phase_are_worked_out_exactly(organizer: Organizer) -> None:
    event_id = forum(organizer)
    response = organizer.put(f"events/{event_id}/inventory", inventory())
    assert response.status_code == 200, response.text
    doc = response.json()
    assert (doc["version"], doc["status"], doc["line_count"]) == (1, "draft", 5)
    assert doc["accounted_basis"] == "location_based"
    assert Decimal(doc["total_kgco2e"]) == Decimal("14005.98")
    by_type = {k: Decimal(v) for k, v in doc["totals"]["by_source_type"].items() if Decimal(v)}
    assert by_type == {
        "purchased_electricity": Decimal("5448.5"),
        "catering": Decimal("5120"),
        "travel": Decimal("2926.08"),
        "materials": Decimal("161.4"),
        "waste": Decimal("350"),
    }
    assert {k: Decimal(v) for k, v in doc["totals"]["by_scope"].items()} == {
        "1": Decimal(0),
        "2": Decimal("5448.5"),
        "3": Decimal("8557.48"),
    }
    assert {k: Decimal(v) for k, v in doc["totals"]["by_phase"].items()} == {
        "preparation": Decimal("161.4"),
        "holding": Decimal("13494.58"),
        "wrap_up": Decimal("350"),
    }
    # Market-based, the same electricity at the residual-style factor: 8,500 kWh × 0.5856 = 4,977.6 kg.
    assert Decimal(doc["electricity"]["market_based_kgco2e"]) == Decimal("4977.6")
    assert Decimal(doc["market_based"]["total_kgco2e"]) == Decimal("13535.08")
    assert doc["factor_dataset_version"] == "2026.1"


def test_each_line_carries_its_trace_and_the_factors_are_listed_with_sources(organizer: Organizer) -> None:
    event_id = forum(organizer)
    doc = organizer.put(f"events/{event_id}/inventory", inventory()).json()
    power = doc["lines"][0]
    assert power["evidence_sha256"] == "ab" * 32
    assert power["scope"] == 2
    assert power["trace"]["arithmetic"] == "8.5 MWh × 1000 kWh/MWh × 0.641 kgCO2/kWh = 5,448.5 kgCO2"
    assert power["trace"]["converted_quantity"] == "8500"
    assert power["trace"]["factor_id"] == "grid.cn.shandong.2022"
    assert "source" not in power["trace"]
    assert doc["factors"]["grid.cn.shandong.2022"]["source"].startswith("省级电力平均二氧化碳排放因子表")
    assert doc["factors"]["grid.cn.shandong.2022"]["verified"] is False
    assert doc["factors"]["grid.cn.shandong.2022"]["flag"]
    assert power["market_based_trace"]["factor_id"] == "grid.cn.national.residual.2022"
    paper = doc["lines"][3]
    assert paper["trace"]["arithmetic"] == "120 kg × 0.001 t/kg × 1345 kgCO2e/t = 161.4 kgCO2e"
    assert paper["phase"] == "preparation"
    assert set(doc["factors"]) == {
        "grid.cn.shandong.2022",
        "grid.cn.national.residual.2022",
        "catering.meal.proxy",
        "transport.hsr.cn.full-process.2019",
        "material.paper.virgin.desnz-2025",
        "waste.landfill.food.desnz",
    }


def test_the_same_electricity_in_kwh_or_mwh_gives_the_same_emissions(organizer: Organizer) -> None:
    event_id = forum(organizer)
    lines = [
        line("purchased_electricity", "8.5", "MWh", "grid.cn.shandong.2022"),
        line("purchased_electricity", "8500", "kWh", "grid.cn.shandong.2022"),
    ]
    doc = organizer.put(f"events/{event_id}/inventory", inventory(lines)).json()
    assert doc["lines"][0]["kgco2e"] == doc["lines"][1]["kgco2e"] == "5448.5"


def test_green_power_with_certificates_counts_as_zero_on_the_market_basis(organizer: Organizer) -> None:
    event = organizer.create_event(starts_at=in_days(-5), ends_at=in_days(-2))
    # A certificate counts for one event only, platform-wide: one of this run's own.
    certificate = f"GEC-2026-{secrets.token_hex(4)}"
    lines = [
        line(
            "purchased_electricity",
            "100",
            "MWh",
            "grid.cn.hainan.2022",
            green=True,
            green_certificates=[certificate],
        ),
        line("purchased_electricity", "10", "MWh", "grid.cn.hainan.2022"),
    ]
    doc = organizer.put(f"events/{event['id']}/inventory", inventory(lines, 28000)).json()
    # Location-based: 110,000 kWh × 0.4184 kgCO2/kWh = 46,024 kg.
    assert Decimal(doc["location_based"]["total_kgco2e"]) == Decimal("46024")
    # Market-based, accounted: green 0 + 10,000 kWh × 0.5856 kgCO2/kWh = 5,856 kg.
    assert doc["accounted_basis"] == "market_based"
    assert Decimal(doc["total_kgco2e"]) == Decimal("5856")
    green = doc["lines"][0]
    assert (green["kgco2e"], green["location_based_kgco2e"]) == ("0", "41840")
    assert certificate in green["market_based_trace"]["arithmetic"]


def test_green_power_without_certificates_is_refused_and_nothing_is_stored(organizer: Organizer) -> None:
    event = organizer.create_event(starts_at=in_days(-5), ends_at=in_days(-2))
    lines = [
        line("purchased_electricity", "10", "MWh", "grid.cn.hainan.2022"),
        line("purchased_electricity", "100", "MWh", "grid.cn.hainan.2022", green=True),
    ]
    response = organizer.put(f"events/{event['id']}/inventory", inventory(lines))
    assert response.status_code == 422
    assert response.json()["type"].endswith("/green-certificate-required")
    assert response.json()["line"] == 1
    assert organizer.get(f"events/{event['id']}/inventory").status_code == 404
    assert organizer.event(event["id"])["actual_participants"] is None


def test_submitting_locks_the_inventory_as_the_accounted_emissions(organizer: Organizer) -> None:
    event_id = forum(organizer)
    organizer.put(f"events/{event_id}/inventory", inventory())
    assert organizer.event(event_id)["status"] == "held"
    submitted = organizer.post(f"events/{event_id}/inventory/submit")
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["status"], submitted.json()["accounted"]) == ("submitted", True)
    event = organizer.event(event_id)
    assert event["status"] == "accounted"
    assert event["actual_participants"] == 318
    accounted = event["accounted"]
    assert Decimal(accounted["total_kgco2e"]) == Decimal("14005.98")
    assert accounted["by_scope"]["2"] == "5448.5"
    assert accounted["by_phase"]["wrap_up"] == "350"
    assert (accounted["inventory_version"], accounted["factor_dataset_version"]) == (1, "2026.1")
    assert accounted["submitted_at"] is not None
    again = organizer.post(f"events/{event_id}/inventory/submit")
    assert again.status_code == 409
    assert again.json()["type"].endswith("/nothing-to-submit")


def test_editing_a_submitted_inventory_is_refused_and_changes_nothing(organizer: Organizer) -> None:
    event_id = forum(organizer)
    organizer.put(f"events/{event_id}/inventory", inventory())
    organizer.post(f"events/{event_id}/inventory/submit")
    before_event = organizer.event(event_id)
    before = organizer.get(f"events/{event_id}/inventory").json()
    refused = organizer.put(f"events/{event_id}/inventory", inventory(SHANDONG_FORUM[:1], 5))
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/inventory-submitted")
    assert "amendments" in refused.json()["detail"]
    assert organizer.get(f"events/{event_id}/inventory").json() == before
    assert organizer.event(event_id) == before_event
    locked = organizer.http.patch(organizer.url(f"events/{event_id}"), json={"expected_participants": 600})
    assert locked.status_code == 409
    assert organizer.put(f"events/{event_id}/plan", {"boundary": []}).status_code == 422


def test_an_amendment_makes_version_two_and_keeps_version_one(organizer: Organizer) -> None:
    event_id = forum(organizer)
    organizer.put(f"events/{event_id}/inventory", inventory())
    organizer.post(f"events/{event_id}/inventory/submit")
    first = organizer.get(f"events/{event_id}/inventory").json()
    corrected = [*SHANDONG_FORUM, line("water", "800", "m3", "water.supply.desnz-2025")]
    amended = organizer.post(f"events/{event_id}/inventory/amendments", inventory(corrected, 320))
    assert amended.status_code == 201, amended.text
    assert (amended.json()["version"], amended.json()["status"], amended.json()["amends"]) == (2, "draft", 1)
    # 800 m3 × 0.191 kgCO2e/m3 = 152.8 kg more: 14,158.78 kg.
    assert Decimal(amended.json()["total_kgco2e"]) == Decimal("14158.78")
    assert organizer.event(event_id)["accounted"]["inventory_version"] == 1
    assert organizer.post(f"events/{event_id}/inventory/amendments", inventory()).status_code == 409
    organizer.post(f"events/{event_id}/inventory/submit")
    event = organizer.event(event_id)
    assert (event["accounted"]["inventory_version"], event["accounted"]["total_kgco2e"]) == (2, "14158.78")
    assert event["actual_participants"] == 320
    kept = organizer.get(f"events/{event_id}/inventory", version=1).json()
    assert {**kept, "accounted": True} == {**first, "accounted": True}
    assert kept["accounted"] is False
    versions = organizer.get(f"events/{event_id}/inventory/versions").json()["items"]
    assert [(v["version"], v["status"], v["accounted"]) for v in versions] == [
        (2, "submitted", True),
        (1, "submitted", False),
    ]


def test_amending_needs_a_submitted_inventory(organizer: Organizer) -> None:
    event_id = forum(organizer)
    nothing = organizer.post(f"events/{event_id}/inventory/amendments", inventory())
    assert nothing.status_code == 409
    assert nothing.json()["type"].endswith("/nothing-to-amend")
    assert organizer.post(f"events/{event_id}/inventory/submit").status_code == 404


def test_drafts_are_seen_by_their_owner_only(organizer: Organizer, reader: Organizer) -> None:
    event_id = forum(organizer)
    organizer.put(f"events/{event_id}/inventory", inventory())
    assert reader.get(f"events/{event_id}/inventory").status_code == 404
    assert reader.get(f"events/{event_id}/inventory", version=1).status_code == 403
    assert reader.get(f"events/{event_id}/inventory/versions").json()["items"] == []
    organizer.post(f"events/{event_id}/inventory/submit")
    seen = reader.get(f"events/{event_id}/inventory", lines="false").json()
    assert (seen["version"], seen["lines"]) == (1, None)


BAD_LINES = [
    (line("catering", "-640", "meal", "catering.meal.proxy"), "invalid-input"),
    (line("catering", 640.5, "meal", "catering.meal.proxy"), "invalid-input"),
    (line("catering", "1e16", "meal", "catering.meal.proxy"), "invalid-input"),
    (line("catering", "640", "plates", "catering.meal.proxy"), "unknown-unit"),
    (line("catering", "640", "kWh", "catering.meal.proxy"), "unit-mismatch"),
    (line("catering", "640", "meal", "catering.banquet.imaginary"), "unknown-factor"),
    (line("catering", "640", "meal", "grid.cn.national.2022"), "invalid-activity-line"),
    (line("catering", "640", "meal"), "invalid-activity-line"),
    (line("catering", "640", "meal", "catering.meal.proxy", evidence_sha256="not-a-hash"), "invalid-input"),
    (line("catering", "640", "meal", "catering.meal.proxy", label="x" * 201), "invalid-input"),
    (line("catering", "640", "meal", "catering.meal.proxy", unit_price="12"), "invalid-input"),
]


@pytest.mark.parametrize(("bad", "problem"), BAD_LINES)
def test_bad_lines_get_a_clear_problem_and_change_nothing(
    organizer: Organizer, bad: dict[str, Any], problem: str
) -> None:
    event_id = forum(organizer)
    organizer.put(f"events/{event_id}/inventory", inventory())
    before = organizer.get(f"events/{event_id}/inventory").json()
    response = organizer.put(f"events/{event_id}/inventory", inventory([*SHANDONG_FORUM, bad]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith(f"/{problem}")
    if problem != "invalid-input":
        assert response.json()["line"] == 5
        assert response.json()["detail"].startswith("Line 5:")
    assert organizer.get(f"events/{event_id}/inventory").json() == before


def test_a_custom_factor_is_used_with_its_source(organizer: Organizer) -> None:
    event_id = forum(organizer)
    custom = line(
        "materials",
        "2",
        "t",
        custom_factor={
            "value": "950",
            "unit": "kgCO2e/t",
            "source": "Supplier EPD 2025, booth panels",
        },
    )
    doc = organizer.put(f"events/{event_id}/inventory", inventory([custom])).json()
    assert doc["total_kgco2e"] == "1900"
    assert doc["lines"][0]["trace"]["source"] == "Supplier EPD 2025, booth panels"
    assert doc["lines"][0]["trace"]["factor_id"] is None
    assert doc["factors"] == {}


def test_inventories_are_bounded(platform: RunningPlatform, organizer: Organizer) -> None:
    event_id = forum(organizer)
    many = [line("catering", "1", "meal", "catering.meal.proxy")] * 20_001
    # Straight to the service: the gateway's own body limit (1 MiB by default) would stop this first.
    direct = httpx.put(
        f"{platform.service_url('accounting')}/v1/events/{event_id}/inventory",
        json=inventory(many),
        headers={"Authorization": organizer.http.headers["Authorization"]},
        timeout=60,
    )
    assert direct.status_code == 422, direct.text
    assert direct.json()["errors"][0]["location"] == ["body", "lines"]
    assert organizer.put(f"events/{event_id}/inventory", {"lines": [], "actual_participants": 3}).status_code == 422
    assert organizer.put(f"events/{event_id}/inventory", inventory(participants=-1)).status_code == 422
    assert organizer.get(f"events/{event_id}/inventory").status_code == 404


def test_an_inventory_for_an_unknown_or_anothers_event_is_refused(organizer: Organizer, rival: Organizer) -> None:
    missing = organizer.put("events/evt_0000000000/inventory", inventory())
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("/not-found")
    event_id = forum(organizer)
    foreign = rival.put(f"events/{event_id}/inventory", inventory())
    assert foreign.status_code == 403
    assert rival.post(f"events/{event_id}/inventory/submit").status_code == 403
    assert organizer.get(f"events/{event_id}/inventory").status_code == 404
    assert organizer.event(event_id)["status"] == "held"
    assert organizer.event(event_id)["actual_participants"] is None


def test_reading_scope_cannot_write_an_inventory(organizer: Organizer, reader: Organizer) -> None:
    event_id = forum(organizer)
    response = reader.put(f"events/{event_id}/inventory", inventory())
    assert response.status_code == 403
    assert response.json()["type"].endswith("/insufficient-scope")
