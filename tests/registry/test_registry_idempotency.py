"""Idempotency-Key: a repeat returns the first answer and moves nothing; another body is refused."""

from __future__ import annotations

import secrets

from tests.registry.conftest import Operator, Registry
from tests.support.events import known_event


def test_repeated_retirement_returns_the_first_answer_and_moves_nothing(
    platform, operator: Operator, holder: Registry, public
) -> None:
    event = known_event(platform, holder.owner)
    account = holder.account()
    operator.issue(operator.project()["id"], account, 10_000)
    key = secrets.token_hex(8)
    body = {
        "event_id": event,
        "from_account": account,
        "quantity": 4_000,
        "unit_type": "HNCI",
        "beneficiary": "forum",
        "reason": "neutrality",
    }
    first = holder.post("retirements", body, key)
    size = public.get("/registry/v1/log/checkpoint").json()["tree_size"]
    again = holder.post("retirements", body, key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert public.get("/registry/v1/log/checkpoint").json()["tree_size"] == size
    holdings = holder.get(f"accounts/{account}").json()["holdings"]
    assert holdings[0]["quantity_g"] == 6_000


def test_same_key_with_another_body_is_a_conflict(operator: Operator, holder: Registry) -> None:
    account, other = holder.account(), holder.account()
    operator.issue(operator.project()["id"], account, 10_000)
    key = secrets.token_hex(8)
    body = {"from_account": account, "to_account": other, "quantity": 1_000, "unit_type": "HNCI"}
    assert holder.post("transfers", body, key).status_code == 201
    refused = holder.post("transfers", {**body, "quantity": 2_000}, key)
    assert refused.status_code == 409
    assert refused.json()["idempotency_key"] == key
    assert holder.get(f"accounts/{account}").json()["holdings"][0]["quantity_g"] == 9_000


def test_a_refused_request_leaves_its_key_unused(operator: Operator, holder: Registry) -> None:
    account, other = holder.account(), holder.account()
    key = secrets.token_hex(8)
    body = {"from_account": account, "to_account": other, "quantity": 1_000, "unit_type": "HNCI"}
    assert holder.post("transfers", body, key).status_code == 409
    operator.issue(operator.project()["id"], account, 1_000)
    assert holder.post("transfers", body, key).status_code == 201
