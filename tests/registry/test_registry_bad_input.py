"""Bad input gets a clear problem response and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.registry.conftest import CLAIM_FIELDS, Operator, Registry
from tests.support.events import known_event


def log_size(public) -> int:
    return int(public.get("/registry/v1/log/checkpoint").json()["tree_size"])


def holdings(registry: Registry, account: str) -> list[dict[str, Any]]:
    return list(registry.get(f"accounts/{account}").json()["holdings"])


BAD_QUANTITIES = [0, -5, 1.5, 1.0, "1000", 10**15 + 1, 10**30, True, None]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES, ids=repr)
def test_bad_quantities_are_refused_and_nothing_moves(
    quantity: Any, operator: Operator, holder: Registry, public
) -> None:
    account, other = holder.account(), holder.account()
    project = operator.project()
    operator.issue(project["id"], account, 5_000)
    before, size = holdings(holder, account), log_size(public)
    attempts = [
        (
            operator,
            "issuances",
            {"project_id": project["id"], "account_id": account, "vintage": 2023, "quantity": quantity},
        ),
        (
            holder,
            "transfers",
            {"from_account": account, "to_account": other, "quantity": quantity, "unit_type": "HNCI"},
        ),
        (
            holder,
            "retirements",
            {
                "event_id": "evt-bad",
                "from_account": account,
                "quantity": quantity,
                "unit_type": "HNCI",
                "beneficiary": "b",
                "reason": "r",
            },
        ),
        (holder, "donations", {"event_id": "evt-bad", "from_account": account, "quantity": quantity}),
    ]
    for client, path, body in attempts:
        response = client.post(path, body)
        assert response.status_code == 422, (path, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["type"].endswith("invalid-input")
        assert any(error["location"][-1] == "quantity" for error in problem["errors"])
    assert holdings(holder, account) == before
    assert log_size(public) == size


def test_unknown_unit_types_are_refused(operator: Operator, holder: Registry) -> None:
    account, other = holder.account(), holder.account()
    project = operator.project()
    operator.issue(project["id"], account, 5_000)
    for path, body in [
        ("transfers", {"from_account": account, "to_account": other, "quantity": 5, "unit_type": "XXCI"}),
        (
            "retirements",
            {
                "event_id": "e",
                "from_account": account,
                "quantity": 5,
                "unit_type": "hnci",
                "beneficiary": "b",
                "reason": "r",
            },
        ),
    ]:
        response = holder.post(path, body)
        assert response.status_code == 422
        assert any(e["location"][-1] == "unit_type" for e in response.json()["errors"])
    filed = operator.post(
        "projects",
        {
            "name": "n",
            "code": "ZZ1",
            "unit_type": "GDCI",
            "province": "CN-GD",
            "category": "forestry",
            "methodology": "m",
        },
    )
    assert filed.status_code == 422
    mismatched = operator.post(
        "projects",
        {
            "name": "n",
            "code": "ZZ2",
            "unit_type": "SDCI",
            "province": "CN-HI",
            "category": "forestry",
            "methodology": "m",
        },
    )
    assert mismatched.status_code == 422 and "CN-SD" in mismatched.text
    assert holdings(holder, account)[0]["quantity_g"] == 5_000


def test_more_than_held_is_a_conflict_naming_the_shortfall(operator: Operator, holder: Registry) -> None:
    account, other = holder.account(), holder.account()
    operator.issue(operator.project()["id"], account, 5_000)
    response = holder.post(
        "transfers", {"from_account": account, "to_account": other, "quantity": 5_001, "unit_type": "HNCI"}
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"].endswith("insufficient-credits")
    assert (problem["held_g"], problem["requested_g"]) == (5_000, 5_001)
    assert holdings(holder, account)[0]["quantity_g"] == 5_000


def cancellation(**changes: Any) -> dict[str, Any]:
    body = {
        **CLAIM_FIELDS,
        "event_id": "evt-bad-xc",
        "registry": "CCER",
        "serial_from": "CCER-46-2021-000101",
        "serial_to": "CCER-46-2021-000250",
        "quantity": 150_000_000,
        "cancellation_ref": "NR-2026-0001",
        "project_id": "CCER-46",
        "project_province": "CN-HI",
        "vintage": 2021,
        "evidence_sha256": "ab" * 32,
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"quantity": 149_000_000}, "150 t"),
        ({"quantity": 150_000_001}, "whole tonnes"),
        ({"serial_from": "CCER-46-2021-000300"}, "after serial_to"),
        ({"serial_from": "CCER-47-2021-000101"}, "share the text"),
        (
            {
                "registry": "VCU",
                "serial_from": "6336-1-10-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0",
                "serial_to": "6336-1-10-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0",
                "quantity": 9_000_000,
            },
            "10 t",
        ),
        ({"registry": "VCU", "serial_from": "not-a-vcu"}, "13 hyphen-separated parts"),
        ({"cancelled_on": "2099-01-01"}, "in the future"),
        ({"cancelled_on": "2020-12-31"}, "before the vintage 2021"),
    ],
)
def test_external_serial_ranges_and_dates_must_hold_together(
    changes: dict[str, Any], says: str, platform, holder: Registry, public
) -> None:
    event = known_event(platform, holder.owner)
    size = log_size(public)
    response = holder.post("external-cancellations", cancellation(event_id=event, **changes))
    assert response.status_code == 422, response.text
    assert says in response.json()["detail"]
    assert log_size(public) == size


def test_unknown_registries_and_fields_are_refused(holder: Registry) -> None:
    assert holder.post("external-cancellations", cancellation(registry="GS")).status_code == 422
    assert holder.post("external-cancellations", cancellation(evidence_sha256="XYZ")).status_code == 422
    assert holder.post("external-cancellations", cancellation(colour="green")).status_code == 422
    assert holder.post("external-cancellations", cancellation(evidence_url="file:///etc/passwd")).status_code == 422
    for missing in ("cancelled_on", "beneficiary", "purpose", "evidence_url"):
        body = cancellation()
        del body[missing]
        assert holder.post("external-cancellations", body).status_code == 422, missing
