"""Notifications as accounting, registry and certification send them, built from the scenarios."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.outbox import Notification

HAINAN_FIELDS = ["name", "organizers", "dates", "accounted_emissions", "offset_method"]
SHANDONG_SELF_COMMITMENT_FIELDS = [
    "name",
    "organizers",
    "scale",
    "dates",
    "boundary",
    "accounted_emissions",
    "offset_method",
    "neutrality_date",
    "confirmation_method",
]
HAINAN_PRIORITY = [
    {"tier": 1, "unit_types": ["HNFOREST", "HNBLUE", "PCI"]},
    {"tier": 2, "unit_types": ["HNCI"]},
    {"tier": 3, "unit_types": ["CCER"]},
    {"tier": 4, "unit_types": ["CEA"]},
    {"tier": 5, "unit_types": ["CER", "VCU"]},
]

SOURCES = {"registry": "registry", "accounting": "accounting", "certification": "certification"}
_TOPIC_SOURCE = {
    "event.updated": "accounting",
    "retirement.recorded": "registry",
    "cancellation.recorded": "registry",
    "certificate.updated": "certification",
}


def unique(prefix: str) -> str:
    """An id no other test uses (the platform fixture is shared by the session)."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def note(
    topic: str, payload: dict[str, Any], seq: int, created_at: datetime | None = None, note_id: str | None = None
) -> Notification:
    """A notification as the sender's relay would post it."""
    return Notification(
        id=note_id or str(uuid.uuid4()),
        source=_TOPIC_SOURCE[topic],
        topic=topic,
        record_id=payload["id"],
        seq=seq,
        created_at=created_at or datetime.now(UTC),
        payload=payload,
    )


def hainan_event(event_id: str, **changes: Any) -> dict[str, Any]:
    """Scenario 1: a government-hosted Haikou exhibition, accounted, under the Hainan profile."""
    event: dict[str, Any] = {
        "id": event_id,
        "name": "中国国际消费品博览会 China International Consumer Products Expo",
        "organizers": ["海南省商务厅", "Hainan Provincial Department of Commerce"],
        "kind": "exhibition",
        "jurisdiction": "CN-HI",
        "host_type": "government",
        "venue": "海南国际会展中心 Hainan International Convention and Exhibition Center",
        "starts_at": "2026-04-13",
        "ends_at": "2026-04-16",
        "expected_participants": 30000,
        "actual_participants": 28000,
        "status": "accounted",
        "policy": {
            "profile_id": "hainan-2023",
            "version": "2023.1",
            "band": "government-500-plus",
            "neutrality": "encouraged",
            "confirmation_method": "self_commitment",
            "deadline": "2026-10-16",
            "disclosure_fields": HAINAN_FIELDS,
            "priority": HAINAN_PRIORITY,
        },
        "plan": {
            "reduction_measures": [{"name": "100% green electricity", "expected_kgco2e": "120000.000"}],
            "planned_offsets": [{"unit_type": "HNBLUE", "quantity_g": 220_000_000}],
            "boundary": [{"source_type": "travel", "included": True, "reason": "exhibitors and visitors"}],
        },
        "accounted": {
            "total_kgco2e": "1448500.500",
            "by_source_type": {
                "travel": "1100000.250",
                "accommodation": "210000.000",
                "catering": "98500.250",
                "waste": "40000.000",
            },
            "by_scope": {"1": "0", "2": "0", "3": "1448500.500"},
            "by_phase": {"holding": "1448500.500"},
            "market_based_electricity_kgco2e": "0",
            "location_based_electricity_kgco2e": "51230.100",
            "inventory_version": 2,
            "factor_dataset_version": "2026.1",
            "submitted_at": "2026-05-20T08:00:00+00:00",
            "evidence_sha256": "ab" * 32,
        },
        "private_notes": "not for the public",
    }
    event.update(changes)
    return event


def shandong_forum(event_id: str, **changes: Any) -> dict[str, Any]:
    """Scenario 3: a 320-participant Jinan forum under Shandong's self-commitment band."""
    event: dict[str, Any] = {
        "id": event_id,
        "name": "山东绿色产业论坛 Shandong Green Industry Forum",
        "organizers": ["山东省绿色产业协会", "济南会展集团"],
        "kind": "forum",
        "jurisdiction": "CN-SD",
        "host_type": "non_government",
        "venue": "济南国际会展中心",
        "starts_at": "2026-06-02",
        "ends_at": "2026-06-02",
        "expected_participants": 320,
        "actual_participants": 311,
        "status": "accounted",
        "policy": {
            "profile_id": "shandong-2023",
            "version": "2023.1",
            "band": "200-499",
            "neutrality": "encouraged",
            "confirmation_method": "self_commitment",
            "deadline": "2026-12-02",
            "disclosure_fields": SHANDONG_SELF_COMMITMENT_FIELDS,
        },
        "plan": {
            "reduction_measures": [{"name": "no printed materials", "expected_kgco2e": "150.5"}],
            "planned_offsets": [{"unit_type": "SDFOREST", "quantity_g": 25_000_000}],
            "boundary": [
                {"source_type": "electricity", "included": True, "reason": "venue"},
                {"source_type": "travel", "included": True, "reason": "high-speed rail"},
            ],
        },
        "accounted": {
            "total_kgco2e": "21480.75",
            "by_source_type": {"electricity": "3200.5", "catering": "1830.25", "travel": "16450"},
            "by_scope": {"2": "3200.5", "3": "18280.25"},
            "by_phase": {"holding": "21480.75"},
            "market_based_electricity_kgco2e": "3200.5",
            "location_based_electricity_kgco2e": "3200.5",
            "inventory_version": 1,
            "factor_dataset_version": "2026.1",
            "submitted_at": "2026-06-20T08:00:00+00:00",
        },
    }
    event.update(changes)
    return event


def retirement(
    retirement_id: str,
    event_id: str,
    quantity_g: int,
    unit_type: str = "HNBLUE",
    province: str = "CN-HI",
    retired_at: str = "2026-05-30T02:00:00+00:00",
    log_index: int = 42,
    **changes: Any,
) -> dict[str, Any]:
    """A retirement of serialized credits on the platform registry."""
    record: dict[str, Any] = {
        "id": retirement_id,
        "kind": "retirement",
        "event_id": event_id,
        "unit_type": unit_type,
        "quantity_g": quantity_g,
        "beneficiary": "中国国际消费品博览会",
        "reason": "碳中和 carbon neutrality of the expo",
        "donor": None,
        "serial_ranges": [
            {
                "serial": f"{unit_type}-2023-000017",
                "start": 1,
                "end": quantity_g,
                "quantity_g": quantity_g,
                "project_id": "prj_mangrove_dongzhai",
                "project_name": "东寨港红树林蓝碳 Dongzhai mangrove blue carbon",
                "province": province,
                "category": "ocean",
                "vintage": 2023,
            }
        ],
        "log_index": log_index,
        "retired_at": retired_at,
    }
    record.update(changes)
    return record


def donation(donation_id: str, event_id: str, quantity_g: int, **changes: Any) -> dict[str, Any]:
    """A citizen's personal carbon-inclusion credits donated to an event."""
    record = retirement(donation_id, event_id, quantity_g, unit_type="PCI", log_index=44, **changes)
    record.update(
        kind="donation",
        donor={"kind": "person", "name": "张三", "phone": "13800000000"},
        beneficiary="张三 donates for the expo",
        reason="张三's gift",
    )
    record.update(changes)
    return record


def cancellation(
    cancellation_id: str,
    event_id: str,
    quantity_g: int,
    registry: str = "CCER",
    recorded_at: str = "2026-06-10T03:00:00+00:00",
    **changes: Any,
) -> dict[str, Any]:
    """A cancellation in the national CCER registry, recorded here."""
    record: dict[str, Any] = {
        "id": cancellation_id,
        "event_id": event_id,
        "registry": registry,
        "serial_from": "CCER-46-2022-000001",
        "serial_to": "CCER-46-2022-001228",
        "quantity_g": quantity_g,
        "cancellation_ref": "NCER-2026-0613-0007",
        "project_id": "CCER-46-HI-0031",
        "project_province": "CN-HI",
        "vintage": 2022,
        "log_index": 43,
        "recorded_at": recorded_at,
        "evidence_sha256": "cd" * 32,
    }
    record.update(changes)
    return record


def certificate(certificate_id: str, event_id: str, jws: str = "e30.e30.sig", **changes: Any) -> dict[str, Any]:
    """A certificate as certification announces it."""
    issued = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
    record: dict[str, Any] = {
        "id": certificate_id,
        "event_id": event_id,
        "jurisdiction": "CN-HI",
        "status": "valid",
        "event_name": "中国国际消费品博览会 China International Consumer Products Expo",
        "organizers": ["海南省商务厅"],
        "starts_at": "2026-04-13",
        "ends_at": "2026-04-16",
        "accounted_kgco2e": "1448500.500",
        "offsets": [{"unit_type": "HNBLUE", "quantity_g": 220_000_000, "priority_tier": 1}],
        "confirmation_method": "self_commitment",
        "issuer": "海南省国家生态文明试验区建设工作领导小组办公室",
        "issued_at": issued.isoformat(),
        "revoked_at": None,
        "revocation_reason": None,
        "jws": jws,
        "status_list_url": "https://lingtan.example.cn/certification/v1/status-lists/1",
        "status_list_index": 7,
        "verification_url": f"https://lingtan.example.cn/disclosure/verify?id={certificate_id}",
    }
    record.update(changes)
    return record


def revoked(record: dict[str, Any], reason: str = "CCER cancellation already claimed elsewhere") -> dict[str, Any]:
    """The same certificate after an audit that failed."""
    when = datetime.fromisoformat(record["issued_at"]) + timedelta(days=60)
    return {**record, "status": "revoked", "revoked_at": when.isoformat(), "revocation_reason": reason}
