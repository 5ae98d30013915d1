"""Accounting's migrations on a database with events in it: donations open for existing events, green
certificates claimed from stored inventories, and every event announced to the registry."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.accounting.clock import china_today
from services.accounting.database import kernel
from services.accounting.events.models import Event
from services.accounting.events.policy import resolve_policy
from services.accounting.events.snapshot import public_state
from services.accounting.greenpower.models import GreenCertificateClaim
from services.accounting.greenpower.service import claim_key
from services.accounting.policies.vocabulary import HostType
from shared.db.engine import Database, connect
from shared.db.migrations import upgrade

BEFORE = "48b6ed9b1f46"
TODAY = date.today()
NOW = datetime.now(UTC)

_events = sa.table(
    "events",
    *(
        sa.column(name)
        for name in (
            "id", "owner", "name", "organizers", "kind", "jurisdiction", "host_type", "venue", "starts_on", "ends_on",
            "expected_participants", "actual_participants", "status", "profile_id", "policy", "plan_summary",
            "accounted", "accounted_version", "certificate_id", "certificate_status", "certificate_seq", "revision",
            "created_at", "updated_at",
        )
    ),
)  # fmt: skip
_versions = sa.table(
    "inventory_versions",
    *(
        sa.column(name)
        for name in (
            "event_id", "version", "status", "amends", "actual_participants", "factor_dataset_version", "line_count",
            "total_kgco2e", "summary", "lines", "created_at", "updated_at", "submitted_at",
        )
    ),
)  # fmt: skip


@pytest.fixture
def database(tmp_path: Path, schema_prefix: str) -> Iterator[Database]:
    """Accounting's database migrated to the revision before this issue's, on the backend under test."""
    url = os.environ.get("LINGTAN_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'accounting.db'}"
    found = connect(url, schema=f"{schema_prefix}acc{secrets.token_hex(3)}")
    try:
        upgrade("accounting", found, BEFORE)
        yield found
    finally:
        found.dispose()


def _event(event_id: str, owner: str, status: str, days_ago: int, **values: Any) -> dict[str, Any]:
    ends = TODAY - timedelta(days=days_ago)
    starts = ends - timedelta(days=2)
    row = {
        "id": event_id,
        "owner": owner,
        "name": f"Expo {event_id}",
        "organizers": json.dumps(["海南省商务厅"], ensure_ascii=False),
        "kind": "exhibition",
        "jurisdiction": "CN-HI",
        "host_type": "government",
        "venue": "Haikou",
        "starts_on": starts,
        "ends_on": ends,
        "expected_participants": 2800,
        "actual_participants": None,
        "status": status,
        "profile_id": "hainan-2023",
        "policy": json.dumps(resolve_policy("CN-HI", HostType.GOVERNMENT, 2800, ends), ensure_ascii=False),
        "plan_summary": None,
        "accounted": None,
        "accounted_version": None,
        "certificate_id": None,
        "certificate_status": None,
        "certificate_seq": None,
        "revision": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(values)
    return row


def _version(event_id: str, status: str, references: list[str], created_at: datetime) -> dict[str, Any]:
    lines = [{"category": "purchased_electricity", "green": True, "green_certificates": references}]
    return {
        "event_id": event_id,
        "version": 1,
        "status": status,
        "amends": None,
        "actual_participants": 2800,
        "factor_dataset_version": "2026.1",
        "line_count": 1,
        "total_kgco2e": "0",
        "summary": "{}",
        "lines": json.dumps(lines, separators=(",", ":"), ensure_ascii=False),
        "created_at": created_at,
        "updated_at": created_at,
        "submitted_at": created_at + timedelta(days=1) if status == "submitted" else None,
    }


def test_existing_events_accept_donations_hold_their_certificates_and_are_announced_to_the_registry(
    database: Database,
) -> None:
    planned = _event(
        "evt_planned_then_held",
        "org:hainan-commerce",
        "planned",
        days_ago=10,
        # A plan summary stored before lateness was recorded, saved after the event began.
        plan_summary=json.dumps(
            {
                "reduction_measures": [],
                "planned_offsets": [],
                "boundary": [],
                "estimated_kgco2e": "0",
                "saved_at": datetime.combine(TODAY - timedelta(days=9), datetime.min.time(), UTC).isoformat(),
            }
        ),
    )
    certified = _event(
        "evt_certified",
        "org:qingdao-athletics",
        "certified",
        days_ago=40,
        actual_participants=2750,
        accounted=json.dumps({"total_kgco2e": "9600", "inventory_version": 1}),
        accounted_version=1,
        certificate_id="cert_1",
        certificate_status="valid",
        certificate_seq=3,
    )
    with database.writes() as session, session.begin():
        session.execute(sa.insert(_events), [planned, certified])
        # The planned event's draft named the certificate first, but the certified event's submitted
        # version counts it in its accounted emissions: the submitted version keeps it.
        session.execute(
            sa.insert(_versions),
            [
                _version("evt_planned_then_held", "draft", ["gec-x", " GEC-Y "], NOW - timedelta(days=5)),
                _version("evt_certified", "submitted", ["GEC-X"], NOW - timedelta(days=3)),
            ],
        )
        old = session.execute(
            sa.insert(kernel.outbox)
            .values(id="old-1", topic="event.updated", record_id="evt_certified", payload="{}", created_at=NOW)
            .returning(kernel.outbox.c.seq)
        ).scalar_one()
        session.execute(
            sa.insert(kernel.deliveries).values(
                message_seq=old, receiver="disclosure", attempts=0, next_attempt_at=NOW, delivered_at=NOW
            )
        )

    upgrade("accounting", database)

    with database.reads() as session:
        events = {e.id: e for e in session.execute(sa.select(Event)).scalars()}
        assert {e.accepts_donations for e in events.values()} == {True}
        assert {e.band_changes for e in events.values()} == {None}
        held = {
            row.key: (row.event_id, row.submitted, row.reference)
            for row in session.execute(sa.select(GreenCertificateClaim)).scalars()
        }
        assert held == {
            claim_key("GEC-X"): ("evt_certified", True, "GEC-X"),
            claim_key("gec-y"): ("evt_planned_then_held", False, "GEC-Y"),
        }
        messages = _announced(session, old)
        assert [m["record_id"] for m in messages] == ["evt_planned_then_held", "evt_certified"]
        assert {m["topic"] for m in messages} == {"event.updated"}
        assert [m["receivers"] for m in messages] == [["registry"], ["registry"]]
        first, second = (m["payload"] for m in messages)
        # The full public state, as the service itself writes it now.
        today = china_today()
        assert first == json.loads(json.dumps(public_state(events["evt_planned_then_held"], today)))
        assert second == json.loads(json.dumps(public_state(events["evt_certified"], today)))
        assert (first["owner"], first["status"], first["accepts_donations"]) == (
            "org:hainan-commerce",
            "held",
            True,
        )
        assert first["plan"]["late"] is True
        assert (first["policy"]["profile_id"], first["policy"]["band"]) == ("hainan-2023", "government-500-plus")
        assert first["policy"]["confirmation_method"] == "self_commitment"
        assert (second["owner"], second["status"], second["actual_participants"]) == (
            "org:qingdao-athletics",
            "certified",
            2750,
        )
        assert second["certificate"] == {"id": "cert_1", "status": "valid"}
        # The disclosure delivery written before is left as it was.
        earlier = session.execute(
            sa.select(kernel.deliveries.c.receiver, kernel.deliveries.c.delivered_at).where(
                kernel.deliveries.c.message_seq == old
            )
        ).all()
        assert [row.receiver for row in earlier] == ["disclosure"]
        assert earlier[0].delivered_at is not None


def _announced(session: Session, after_seq: int) -> list[dict[str, Any]]:
    outbox, deliveries = kernel.outbox, kernel.deliveries
    rows = session.execute(
        sa.select(outbox.c.seq, outbox.c.topic, outbox.c.record_id, outbox.c.payload)
        .where(outbox.c.seq > after_seq)
        .order_by(outbox.c.seq)
    ).all()
    announced = []
    for row in rows:
        receivers = session.execute(
            sa.select(deliveries.c.receiver, deliveries.c.delivered_at).where(deliveries.c.message_seq == row.seq)
        ).all()
        assert all(r.delivered_at is None for r in receivers)
        announced.append(
            {
                "topic": row.topic,
                "record_id": row.record_id,
                "payload": json.loads(row.payload),
                "receivers": [r.receiver for r in receivers],
            }
        )
    return announced


def test_an_empty_database_migrates_with_nothing_to_announce(database: Database) -> None:
    upgrade("accounting", database)
    with database.reads() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(kernel.outbox)).scalar_one() == 0
        assert session.execute(sa.select(sa.func.count()).select_from(GreenCertificateClaim)).scalar_one() == 0
