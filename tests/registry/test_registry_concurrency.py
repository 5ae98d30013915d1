"""Races over real HTTP: fifty retirements against twenty, double claims, first Shandong bindings."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from services.registry.credits.blocks import CreditBlock
from tests.registry.conftest import CLAIM_FIELDS, Operator, Registry
from tests.support.events import known_event

UNIT = 1_000_000


def burst(url: str, headers: dict[str, str], requests: list[tuple[str, dict[str, Any]]]) -> list[httpx.Response]:
    """Send every request at once, each from its own thread and connection, straight to the registry
    (which checks tokens itself), so that what races is the registry and not the proxy in front."""

    def send(request: tuple[str, dict[str, Any]]) -> httpx.Response:
        path, body = request
        with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
            return http.post(f"/v1/{path}", json=body)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_fifty_retirements_against_twenty_exactly_twenty_succeed(platform, operator: Operator) -> None:
    caller = platform.register(f"org:{secrets.token_hex(4)}", "registry:read registry:retire")
    headers = caller.headers()
    race = known_event(platform, caller.owner)
    with httpx.Client(base_url=platform.url, headers=headers, timeout=30) as http:
        holder = Registry(http, caller.owner)
        account = holder.account()
        project = operator.project()
        operator.issue(project["id"], account, 12 * UNIT, vintage=2022)
        operator.issue(project["id"], account, 8 * UNIT, vintage=2023)
        body = {
            "event_id": race,
            "from_account": account,
            "quantity": UNIT,
            "unit_type": "HNCI",
            "beneficiary": "marathon",
            "reason": "race",
        }
        responses = burst(platform.service_url("registry"), headers, [("retirements", body)] * 50)
        statuses = sorted(r.status_code for r in responses)
        assert statuses.count(201) == 20, statuses
        refused = [r.json() for r in responses if r.status_code != 201]
        assert all(p["status"] == 409 and p["type"].endswith("insufficient-credits") for p in refused), refused[:3]
        ranges = [
            CreditBlock.parse(s["serial"]) for r in responses if r.status_code == 201 for s in r.json()["serial_ranges"]
        ]
        assert sum(block.size for block in ranges) == 20 * UNIT
        for i, a in enumerate(ranges):
            assert not any(a.overlaps(b) for b in ranges[i + 1 :]), "a serial appears in two retirements"
        assert holder.get(f"accounts/{account}").json()["holdings"] == []


def test_two_identical_external_cancellations_at_once_one_is_a_double_claim(platform, holder: Registry) -> None:
    start = secrets.randbelow(10**8) * 1000
    body = {
        **CLAIM_FIELDS,
        "event_id": known_event(platform, holder.owner),
        "registry": "VCU",
        "serial_from": f"6336-{start}-{start + 99}-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0",
        "serial_to": f"6336-{start}-{start + 99}-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0",
        "quantity": 100 * UNIT,
        "cancellation_ref": "VERRA-RET-1",
        "project_id": "VCS-1529",
        "project_province": "CN-YN",
        "vintage": 2019,
        "evidence_sha256": "cd" * 32,
    }
    responses = burst(
        platform.service_url("registry"), dict(holder.http.headers), [("external-cancellations", body)] * 2
    )
    assert sorted(r.status_code for r in responses) == [201, 409]
    winner = next(r.json() for r in responses if r.status_code == 201)
    loser = next(r.json() for r in responses if r.status_code == 409)
    assert loser["type"].endswith("double-claim") and loser["earlier_id"] == winner["id"]


def test_concurrent_first_sink_retirements_for_two_events_exactly_one_binds(platform, operator: Operator) -> None:
    project = operator.project(unit_type="SDCI", category="forestry", new_sink=True)
    requests, headers = [], {}
    for _ in ("marathon", "forum"):
        caller = platform.register(f"org:{secrets.token_hex(4)}", "registry:read registry:retire")
        event = known_event(platform, caller.owner, jurisdiction="CN-SD")
        headers = caller.headers()
        with httpx.Client(base_url=platform.url, headers=headers, timeout=30) as http:
            account = Registry(http, caller.owner).account()
        operator.issue(project["id"], account, 10 * UNIT)
        requests.append(
            (
                headers,
                {
                    "event_id": event,
                    "from_account": account,
                    "quantity": 5 * UNIT,
                    "unit_type": "SDCI",
                    "beneficiary": event,
                    "reason": "neutrality",
                },
            )
        )

    def send(request: tuple[dict[str, str], dict[str, Any]]) -> httpx.Response:
        with httpx.Client(base_url=platform.service_url("registry"), headers=request[0], timeout=120) as http:
            return http.post("/v1/retirements", json=request[1])

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(send, requests))
    assert sorted(r.status_code for r in responses) == [201, 409]
    won = next(r.json() for r in responses if r.status_code == 201)
    lost = next(r.json() for r in responses if r.status_code == 409)
    assert won["bound_projects"] == [project["id"]]
    assert lost["type"].endswith("project-bound-to-event") and lost["bound_events"] == [won["event_id"]]
