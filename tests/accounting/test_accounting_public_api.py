"""The public endpoints, without a token: the estimate calculator, the factor library, policy profiles."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from tests.support.running import RunningPlatform


@pytest.fixture
def public(platform: RunningPlatform) -> Iterator[httpx.Client]:
    """An anonymous client on the gateway's accounting routes."""
    with httpx.Client(base_url=f"{platform.url}/accounting/v1", timeout=30) as client:
        yield client


def test_a_participant_estimate_is_worked_out_with_traces(public: httpx.Client) -> None:
    response = public.post(
        "/estimate",
        json={
            "participants": {
                "headcount": 320,
                "days": 1,
                "origin_mix": [
                    {"mode": "high_speed_rail", "share": "0.75", "one_way_km": "400"},
                    {"mode": "walk_or_cycle", "share": "0.25", "one_way_km": "2"},
                ],
            },
        },
    )
    assert response.status_code == 200, response.text
    estimate = response.json()
    # Rail: 320 × 0.75 × 2 × 400 km = 192,000 pkm × 30.48 gCO2/pkm = 5,852.16 kg
    # Hotel: 320 × 0.75 overnight × 1 night = 240 room-nights × 53.5 kgCO2e = 12,840 kg
    # Meals: 320 × 1 day × 2 = 640 meals × 8 kgCO2e = 5,120 kg
    assert Decimal(estimate["total_kgco2e"]) == Decimal("23812.16")
    assert [entry["category"] for entry in estimate["lines"]] == ["travel", "accommodation", "catering"]
    assert estimate["lines"][0]["label"].startswith("Estimate: High-speed rail round trips")
    assert estimate["assumptions"]
    assert estimate["totals"]["by_scope"]["3"] == "23812.16"


def test_lines_and_a_headcount_combine(public: httpx.Client) -> None:
    response = public.post(
        "/estimate",
        json={
            "lines": [
                {
                    "category": "purchased_electricity",
                    "quantity": "2000",
                    "unit": "kWh",
                    "factor_id": "grid.cn.national.2022",
                }
            ],
            "participants": {
                "headcount": 10,
                "days": 1,
                "origin_mix": [{"mode": "walk_or_cycle", "share": "1", "one_way_km": "1"}],
            },
        },
    )
    # 2,000 kWh × 0.5366 = 1,073.2 kg; 20 meals × 8 = 160 kg
    assert Decimal(response.json()["total_kgco2e"]) == Decimal("1233.2")
    assert response.json()["lines"][0]["data_quality"] == "estimated"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({}, "invalid-input"),
        (
            {
                "lines": [
                    {"category": "travel", "quantity": "-1", "unit": "pkm", "factor_id": "transport.coach.gb.2025"}
                ]
            },
            "invalid-input",
        ),
        (
            {
                "participants": {
                    "headcount": 10,
                    "days": 1,
                    "origin_mix": [{"mode": "teleport", "share": "1", "one_way_km": "1"}],
                }
            },
            "invalid-estimate",
        ),
        (
            {
                "participants": {
                    "headcount": 10,
                    "days": 0,
                    "origin_mix": [{"mode": "car", "share": "1", "one_way_km": "1"}],
                }
            },
            "invalid-input",
        ),
        (
            {
                "participants": {
                    "headcount": 10,
                    "days": 1,
                    "origin_mix": [{"mode": "car", "share": 0.5, "one_way_km": "1"}],
                }
            },
            "invalid-input",
        ),
        (
            {
                "lines": [{"category": "water", "quantity": "1", "unit": "m3", "factor_id": "water.supply.desnz-2025"}]
                * 1001
            },
            "invalid-input",
        ),
    ],
)
def test_bad_estimate_input_gets_a_problem(public: httpx.Client, body: dict[str, object], problem: str) -> None:
    response = public.post("/estimate", json=body)
    assert response.status_code == 422
    assert response.json()["type"].endswith(f"/{problem}")


def test_the_factor_library_is_public_with_filters_and_its_version(public: httpx.Client) -> None:
    library = public.get("/factors").json()
    assert library["version"] == "2026.1"
    assert len(library["items"]) >= 40
    grid = public.get("/factors", params={"category": "purchased_electricity", "geography": "CN-SD"}).json()
    assert {f["id"] for f in grid["items"]} == {"grid.cn.shandong.2021", "grid.cn.shandong.2022"}
    one = public.get("/factors/grid.cn.national.2022").json()
    assert (one["value"], one["unit"], one["year"]) == ("0.5366", "kgCO2/kWh", 2022)
    assert one["source"]["document"]
    missing = public.get("/factors/grid.cn.atlantis.2022")
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("/unknown-factor")
    assert public.get("/factors", params={"version": "1999.1"}).status_code == 404


def test_policy_profiles_are_public_data(public: httpx.Client) -> None:
    listed = {p["id"] for p in public.get("/policies").json()["items"]}
    assert listed == {"hainan-2023", "shandong-2023", "national-2019"}
    hainan = public.get("/policies/CN-HI").json()
    assert hainan["id"] == "hainan-2023"
    assert [tier["rank"] for tier in hainan["offsets"]["tiers"]] == [1, 2, 3, 4, 5]
    assert public.get("/policies/shandong-2023").json()["jurisdiction"] == "CN-SD"
    assert public.get("/policies/CN-GD").json()["id"] == "national-2019"
    for unknown in ("Hainan", "US-CA", "atlantis-2023"):
        response = public.get(f"/policies/{unknown}")
        assert response.status_code == 404, unknown
        assert response.headers["content-type"].startswith("application/problem+json")


def test_only_whole_inventories_may_exceed_the_default_body_limit(platform: RunningPlatform) -> None:
    big = {"lines": [{"category": "water", "quantity": "1", "unit": "m3", "label": "x" * 200}] * 6000}
    response = httpx.post(f"{platform.service_url('accounting')}/v1/estimate", json=big, timeout=30)
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")


def test_the_openapi_document_names_every_route(platform: RunningPlatform) -> None:
    document = httpx.get(f"{platform.service_url('accounting')}/openapi.json").json()
    paths = set(document["paths"])
    assert {
        "/v1/events",
        "/v1/events/{event_id}",
        "/v1/events/{event_id}/plan",
        "/v1/events/{event_id}/inventory",
        "/v1/events/{event_id}/inventory/submit",
        "/v1/events/{event_id}/inventory/amendments",
        "/v1/events/{event_id}/inventory/versions",
        "/v1/estimate",
        "/v1/factors",
        "/v1/factors/{factor_id}",
        "/v1/policies",
        "/v1/policies/{jurisdiction}",
    } <= paths
    put = document["paths"]["/v1/events/{event_id}/inventory"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/InventoryIn")
