"""What accounting tells the others (`event.updated`, delivered to disclosure) and what it hears
(`certificate.updated` from certification)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select, text

from services.accounting.database import kernel
from shared.auth.scopes import service_client_id, service_client_secret
from tests.accounting.conftest import Organizer, boundary, in_days, line
from tests.support.running import RunningPlatform

EVENT_KEYS = {
    "id",
    "owner",
    "name",
    "organizers",
    "kind",
    "jurisdiction",
    "host_type",
    "venue",
    "starts_at",
    "ends_at",
    "expected_participants",
    "actual_participants",
    "status",
    "accepts_donations",
    "policy",
    "band_changes",
    "plan",
    "accounted",
    "certificate",
}
POLICY_KEYS = {
    "profile_id",
    "version",
    "band",
    "neutrality",
    "confirmation_method",
    "deadline",
    "disclosure_fields",
    "priority",
}
ACCOUNTED_KEYS = {
    "total_kgco2e",
    "basis",
    "by_source_type",
    "by_scope",
    "by_phase",
    "market_based_electricity_kgco2e",
    "location_based_electricity_kgco2e",
    "inventory_version",
    "factor_dataset_version",
    "submitted_at",
}
EVIDENCE = "cd" * 32


def notifications(platform: RunningPlatform, event_id: str) -> list[tuple[int, str, dict[str, Any]]]:
    """The outbox rows written for an event: (seq, topic, payload), oldest first."""
    outbox = kernel.outbox
    with platform.database("accounting").reads() as session:
        rows = session.execute(
            select(outbox.c.seq, outbox.c.topic, outbox.c.payload)
            .where(outbox.c.record_id == event_id)
            .order_by(outbox.c.seq)
        ).all()
    return [(row.seq, row.topic, json.loads(row.payload)) for row in rows]


def accounted_event(organizer: Organizer) -> str:
    """A Hainan exhibition held last week taken through plan (late), inventory and submission."""
    event_id = str(organizer.create_event(starts_at=in_days(-9), ends_at=in_days(-7))["id"])
    plan = {
        "boundary": boundary(),
        "reduction_measures": [{"name": "Green power", "expected_kgco2e": "1000"}],
        "planned_offsets": [{"unit_type": "HNCI", "quantity_g": 220_000_000}],
    }
    assert organizer.put(f"events/{event_id}/plan", plan).status_code == 200
    lines = [line("catering", "1200", "meal", "catering.meal.proxy", evidence_sha256=EVIDENCE, label="Lunch boxes")]
    assert (
        organizer.put(f"events/{event_id}/inventory", {"lines": lines, "actual_participants": 28000}).status_code == 200
    )
    assert organizer.post(f"events/{event_id}/inventory/submit").status_code == 200
    return event_id


def test_every_change_writes_the_full_public_state_to_the_outbox(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    event_id = accounted_event(organizer)
    written = notifications(platform, event_id)
    assert [topic for _, topic, _ in written] == ["event.updated"] * 4
    assert [payload["status"] for _, _, payload in written] == ["held", "held", "held", "accounted"]
    seqs = [seq for seq, _, _ in written]
    assert seqs == sorted(seqs)
    state = written[-1][2]
    assert set(state) == EVENT_KEYS
    assert state["owner"] == organizer.owner
    assert state["accepts_donations"] is False
    assert state["band_changes"] == []
    assert set(state["policy"]) == POLICY_KEYS
    assert state["policy"]["priority"][1] == {
        "tier": 2,
        "label": {
            "zh": "经省生态环境主管部门备案的碳普惠项目减排量",
            "en": "Hainan carbon-inclusion credits of projects filed with the province",
        },
        "kinds": ["provincial_carbon_inclusion"],
        "unit_types": ["HNCI"],
    }
    assert state["policy"]["deadline"] == organizer.event(event_id)["policy"]["deadline"]
    assert state["plan"]["planned_offsets"] == [
        {"unit_type": "HNCI", "offset_kind": None, "quantity_g": 220_000_000, "priority_tier": 2}
    ]
    # Saved after the event started: allowed, and marked late.
    assert state["plan"]["late"] is True
    assert set(state["accounted"]) == ACCOUNTED_KEYS
    # 1,200 meals × 8 kgCO2e = 9,600 kg
    assert state["accounted"]["total_kgco2e"] == "9600"
    assert state["actual_participants"] == 28000
    raw = json.dumps([payload for _, _, payload in written])
    assert EVIDENCE not in raw
    assert "Lunch boxes" not in raw
    assert '"lines"' not in raw


def test_notifications_are_delivered_to_disclosure(platform: RunningPlatform, organizer: Organizer) -> None:
    event_id = accounted_event(organizer)
    received, disclosed = 0, None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with platform.database("disclosure").reads() as session:
            received = session.execute(
                text("SELECT count(*) FROM inbox_messages WHERE record_id = :r AND source = 'accounting'"),
                {"r": event_id},
            ).scalar_one()
        public = httpx.get(f"{platform.url}/disclosure/v1/events/{event_id}")
        disclosed = public.json() if public.status_code == 200 else None
        if received == 4 and disclosed is not None and disclosed.get("status") == "accounted":
            break
        time.sleep(0.1)
    assert received == 4
    assert disclosed is not None
    assert disclosed["status"] == "accounted"
    assert disclosed["accounted_emissions"]["total_kgco2e"] == "9600"
    assert EVIDENCE not in json.dumps(disclosed)


def _certification_token(platform: RunningPlatform) -> str:
    assert platform.settings is not None
    response = httpx.post(
        f"{platform.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "notifications:deliver"},
        auth=(
            service_client_id("certification"),
            service_client_secret("certification", platform.settings.service_client_secret),
        ),
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def certificate_note(event_id: str, certificate_id: str, status: str, seq: int, **changes: Any) -> dict[str, Any]:
    """A `certificate.updated` notification as certification's relay posts it."""
    note: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "source": "certification",
        "topic": "certificate.updated",
        "record_id": certificate_id,
        "seq": seq,
        "created_at": datetime.now(UTC).isoformat(),
        "payload": {
            "id": certificate_id,
            "event_id": event_id,
            "jurisdiction": "CN-HI",
            "status": status,
            "issued_at": datetime.now(UTC).isoformat(),
            "jws": "eyJ.e30.sig",
        },
    }
    note.update(changes)
    return note


def deliver(platform: RunningPlatform, token: str, *notes: dict[str, Any]) -> httpx.Response:
    """POST notifications to accounting's inbox as a service relay does."""
    return httpx.post(
        f"{platform.service_url('accounting')}/v1/inbox",
        json={"notifications": list(notes)},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_certification_moves_the_event_to_certified_then_revoked(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    event_id = accounted_event(organizer)
    token = _certification_token(platform)
    certificate_id = f"cert_{uuid.uuid4().hex[:12]}"
    valid = certificate_note(event_id, certificate_id, "valid", 10)
    response = deliver(platform, token, valid)
    assert response.status_code == 200, response.text
    assert response.json()["acknowledged"] == [valid["id"]]
    event = organizer.event(event_id)
    assert event["status"] == "certified"
    assert event["certificate"] == {"id": certificate_id, "status": "valid"}
    assert notifications(platform, event_id)[-1][2]["status"] == "certified"
    refused = organizer.post(
        f"events/{event_id}/inventory/amendments",
        {
            "lines": [line("catering", "1", "meal", "catering.meal.proxy")],
            "actual_participants": 1,
        },
    )
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/event-locked")

    revoked = certificate_note(event_id, certificate_id, "revoked", 11)
    assert deliver(platform, token, revoked).status_code == 200
    event = organizer.event(event_id)
    assert event["status"] == "revoked"
    assert event["certificate"] == {"id": certificate_id, "status": "revoked"}
    assert notifications(platform, event_id)[-1][2]["status"] == "revoked"

    # A late delivery of older news and a repeated id change nothing.
    count = len(notifications(platform, event_id))
    late = certificate_note(event_id, certificate_id, "valid", 9)
    assert deliver(platform, token, late, valid).json()["acknowledged"] == [late["id"], valid["id"]]
    assert organizer.event(event_id)["status"] == "revoked"
    assert len(notifications(platform, event_id)) == count


def test_only_certification_delivers_certificate_news(platform: RunningPlatform, organizer: Organizer) -> None:
    event_id = accounted_event(organizer)
    note = certificate_note(event_id, "cert_forged", "valid", 1)
    as_organizer = deliver(platform, organizer.http.headers["Authorization"].split()[1], note)
    assert as_organizer.status_code == 403
    assert platform.settings is not None
    registry = httpx.post(
        f"{platform.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "notifications:deliver"},
        auth=(
            service_client_id("registry"),
            service_client_secret("registry", platform.settings.service_client_secret),
        ),
    ).json()["access_token"]
    assert deliver(platform, registry, note).status_code == 403
    assert organizer.event(event_id)["status"] == "accounted"


def test_certificate_news_of_an_unknown_event_is_acknowledged_and_ignored(platform: RunningPlatform) -> None:
    note = certificate_note("evt_unknown", "cert_x", "valid", 1)
    response = deliver(platform, _certification_token(platform), note)
    assert response.json()["acknowledged"] == [note["id"]]


def test_a_past_event_is_announced_as_held(platform: RunningPlatform, organizer: Organizer) -> None:
    event = organizer.create_event(starts_at=in_days(-9), ends_at=in_days(-7))
    assert notifications(platform, event["id"])[0][2]["status"] == "held"
