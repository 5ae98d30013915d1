"""Shandong's sink rule, external double claims, and what the registry tells disclosure."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import select

from services.registry.database import kernel
from tests.registry.conftest import CLAIM_FIELDS, Operator, Registry
from tests.support.events import known_event

UNIT = 1_000_000


def retire(holder: Registry, account: str, event: str, quantity: int, unit_type: str = "SDCI", **extra: Any):
    body = {
        "event_id": event,
        "from_account": account,
        "quantity": quantity,
        "unit_type": unit_type,
        "beneficiary": event,
        "reason": "neutrality",
        **extra,
    }
    return holder.post("retirements", body)


def test_a_new_sink_project_serves_the_first_event_only(platform, operator: Operator, holder: Registry) -> None:
    marathon, forum = (known_event(platform, holder.owner, jurisdiction="CN-SD") for _ in range(2))
    account = holder.account()
    sink = operator.project(unit_type="SDCI", category="ocean", new_sink=True)
    operator.issue(sink["id"], account, 10 * UNIT)
    first = retire(holder, account, marathon, 2 * UNIT)
    assert first.status_code == 201 and first.json()["bound_projects"] == [sink["id"]]
    again = retire(holder, account, marathon, 1 * UNIT)
    assert again.status_code == 201 and again.json()["bound_projects"] == []
    other = retire(holder, account, forum, 1 * UNIT)
    assert other.status_code == 409
    problem = other.json()
    assert problem["type"].endswith("project-bound-to-event")
    assert "Shandong" in problem["detail"] and problem["bound_events"] == [marathon]
    donated = holder.post("donations", {"event_id": forum, "from_account": account, "quantity": UNIT})
    assert donated.status_code == 409
    assert holder.get(f"accounts/{account}").json()["holdings"][0]["quantity_g"] == 7 * UNIT


def test_other_credits_are_picked_around_a_bound_project(platform, operator: Operator, holder: Registry) -> None:
    event_a, event_b, event_c = (known_event(platform, holder.owner, jurisdiction="CN-SD") for _ in range(3))
    account = holder.account()
    sink = operator.project(unit_type="SDCI", category="forestry", new_sink=True)
    ordinary = operator.project(unit_type="SDCI", category="forestry", new_sink=False)
    operator.issue(sink["id"], account, 5 * UNIT, vintage=2021)
    operator.issue(ordinary["id"], account, 5 * UNIT, vintage=2024)
    assert retire(holder, account, event_a, UNIT).json()["serial_ranges"][0]["project_id"] == sink["id"]
    picked = retire(holder, account, event_b, 2 * UNIT)
    assert picked.status_code == 201
    assert {r["project_id"] for r in picked.json()["serial_ranges"]} == {ordinary["id"]}
    named = retire(
        holder, account, event_b, UNIT, blocks=[holder.get(f"accounts/{account}").json()["blocks"][0]["serial"]]
    )
    assert named.status_code == 409 and named.json()["projects"] == [sink["id"]]
    ordinary_projects_never_bind = retire(holder, account, event_c, UNIT)
    assert ordinary_projects_never_bind.status_code == 201


def vcu(start: int, end: int) -> str:
    return f"7001-{start}-{end}-VCS-VCU-262-VER-CN-14-2250-01012020-31122020-0"


def test_overlapping_external_ranges_are_a_double_claim_naming_the_earlier_record(
    platform, holder: Registry, public
) -> None:
    expo, elsewhere = known_event(platform, holder.owner), known_event(platform, holder.owner)
    base = secrets.randbelow(10**8) * 1000
    body = {
        **CLAIM_FIELDS,
        "event_id": expo,
        "registry": "VCU",
        "serial_from": vcu(base, base + 99),
        "serial_to": vcu(base, base + 99),
        "quantity": 100 * UNIT,
        "cancellation_ref": "VERRA-1",
        "project_id": "VCS-2250",
        "project_province": "CN-HI",
        "vintage": 2020,
        "evidence_sha256": "0f" * 32,
    }
    first = holder.created("external-cancellations", body)
    assert (first["range_start"], first["range_end"]) == (base, base + 99)
    overlapping = {
        **body,
        "event_id": elsewhere,
        "serial_from": vcu(base + 50, base + 149),
        "serial_to": vcu(base + 50, base + 149),
        "cancellation_ref": "VERRA-2",
    }
    refused = holder.post("external-cancellations", overlapping)
    assert refused.status_code == 409
    assert refused.json()["earlier_id"] == first["id"] and first["id"] in refused.json()["detail"]
    adjacent = {**overlapping, "serial_from": vcu(base + 100, base + 199), "serial_to": vcu(base + 100, base + 199)}
    assert holder.post("external-cancellations", adjacent).status_code == 201
    other_series = {
        **body,
        "serial_from": vcu(base, base + 99).replace("-2250-", "-2251-"),
        "serial_to": vcu(base, base + 99).replace("-2250-", "-2251-"),
    }
    assert holder.post("external-cancellations", other_series).status_code == 201
    listed = public.get("/registry/v1/retirements", params={"event_id": expo}).json()
    assert any(item["id"] == first["id"] and item["kind"] == "external_cancellation" for item in listed["items"])
    assert public.get(f"/registry/v1/retirements/{first['id']}").json()["cancellation_ref"] == "VERRA-1"


def outbox_payloads(platform, record_id: str) -> list[tuple[str, dict[str, Any]]]:
    with platform.database("registry").reads() as session:
        rows = session.execute(
            select(kernel.outbox.c.topic, kernel.outbox.c.payload).where(kernel.outbox.c.record_id == record_id)
        ).all()
    return [(row.topic, json.loads(row.payload)) for row in rows]


def test_disclosure_is_told_exactly_what_notifications_md_lists(platform, operator: Operator, holder: Registry) -> None:
    expo = known_event(platform, holder.owner)
    account = holder.account()
    project = operator.project()
    operator.issue(project["id"], account, 220 * UNIT)
    donation = holder.created("donations", {"event_id": expo, "from_account": account, "quantity": 220 * UNIT})
    [(topic, payload)] = outbox_payloads(platform, donation["id"])
    assert topic == "retirement.recorded"
    assert set(payload) == {
        "id",
        "kind",
        "event_id",
        "unit_type",
        "quantity_g",
        "beneficiary",
        "reason",
        "donor",
        "serial_ranges",
        "log_index",
        "retired_at",
    }
    assert payload["donor"] == "organization" and payload["log_index"] == donation["log_index"]
    assert set(payload["serial_ranges"][0]) == {
        "serial",
        "start",
        "end",
        "quantity_g",
        "project_id",
        "project_name",
        "province",
        "category",
        "vintage",
    }
    start = secrets.randbelow(10**6)
    xc = holder.created(
        "external-cancellations",
        {
            **CLAIM_FIELDS,
            "event_id": expo,
            "registry": "CCER",
            "serial_from": f"CCER-46-2021-{start:06d}",
            "serial_to": f"CCER-46-2021-{start + 9:06d}",
            "quantity": 10 * UNIT,
            "cancellation_ref": "NR-7",
            "project_id": "CCER-46",
            "project_province": "CN-HI",
            "vintage": 2021,
            "evidence_sha256": "aa" * 32,
        },
    )
    [(topic, payload)] = outbox_payloads(platform, xc["id"])
    assert topic == "cancellation.recorded"
    assert set(payload) == {
        "id",
        "event_id",
        "registry",
        "serial_from",
        "serial_to",
        "quantity_g",
        "cancellation_ref",
        "cancelled_on",
        "beneficiary",
        "purpose",
        "project_id",
        "project_province",
        "vintage",
        "status",
        "decision",
        "log_index",
        "recorded_at",
    }
    assert payload["status"] == "claimed" and payload["decision"] is None
