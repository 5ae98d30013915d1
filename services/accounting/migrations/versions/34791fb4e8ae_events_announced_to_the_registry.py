"""events announced to the registry: one event.updated per existing event, for the registry only

Revision ID: 34791fb4e8ae
Revises: a76c7ae6fd2b
Create Date: 2026-12-08 02:50:00.000000

The registry keeps its own read model of events, fed by `event.updated`. Events created before it
subscribed were announced to disclosure only, and without their owner; each gets one notification
with its full public state as it stands (docs/notifications.md), delivered to the registry alone
(disclosure already holds these events). The payload is built here from the stored columns, as they
are at this revision, rather than by the service's code, which may read other columns later.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "34791fb4e8ae"
down_revision = "a76c7ae6fd2b"
branch_labels = None
depends_on = None

TOPIC = "event.updated"
RECEIVER = "registry"
CHINA = timezone(timedelta(hours=8))
NOTIFIED_POLICY_KEYS = (
    "profile_id",
    "version",
    "band",
    "neutrality",
    "confirmation_method",
    "deadline",
    "disclosure_fields",
    "priority",
)
PUBLIC_PLAN_KEYS = ("reduction_measures", "planned_offsets", "boundary", "estimated_kgco2e")

_events = sa.table(
    "events",
    sa.column("pk", sa.Integer),
    sa.column("id", sa.String),
    sa.column("owner", sa.String),
    sa.column("name", sa.String),
    sa.column("organizers", sa.Text),
    sa.column("kind", sa.String),
    sa.column("jurisdiction", sa.String),
    sa.column("host_type", sa.String),
    sa.column("venue", sa.String),
    sa.column("starts_on", sa.Date),
    sa.column("ends_on", sa.Date),
    sa.column("expected_participants", sa.Integer),
    sa.column("actual_participants", sa.Integer),
    sa.column("status", sa.String),
    sa.column("accepts_donations", sa.Boolean),
    sa.column("policy", sa.Text),
    sa.column("band_changes", sa.Text),
    sa.column("plan_summary", sa.Text),
    sa.column("accounted", sa.Text),
    sa.column("certificate_id", sa.String),
    sa.column("certificate_status", sa.String),
)
_messages = sa.table(
    "outbox_messages",
    sa.column("seq", sa.Integer),
    sa.column("id", sa.String),
    sa.column("topic", sa.String),
    sa.column("record_id", sa.String),
    sa.column("payload", sa.Text),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_deliveries = sa.table(
    "outbox_deliveries",
    sa.column("message_seq", sa.Integer),
    sa.column("receiver", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
)


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _policy(document: dict[str, Any]) -> dict[str, Any]:
    policy = {key: document.get(key) for key in NOTIFIED_POLICY_KEYS}
    tiers = document.get("priority") or []
    policy["priority"] = [{key: tier.get(key) for key in ("tier", "label", "kinds", "unit_types")} for tier in tiers]
    return policy


def _plan(summary: dict[str, Any] | None, starts_on: date) -> dict[str, Any] | None:
    if summary is None:
        return None
    late = summary.get("late")
    if not isinstance(late, bool):
        saved_at = summary.get("saved_at")
        late = isinstance(saved_at, str) and datetime.fromisoformat(saved_at).astimezone(CHINA).date() >= starts_on
    return {**{key: summary.get(key) for key in PUBLIC_PLAN_KEYS}, "late": late}


def _status(stored: str, ends_on: date, today: date) -> str:
    # As the service reads it: a planned event whose last day has passed has been held.
    return "held" if stored == "planned" and ends_on < today else stored


def public_state(row: Any, today: date) -> dict[str, Any]:
    """The event's public state as `event.updated` carries it at this revision."""
    certificate = None
    if row.certificate_id is not None and row.certificate_status is not None:
        certificate = {"id": row.certificate_id, "status": row.certificate_status}
    return {
        "id": row.id,
        "owner": row.owner,
        "name": row.name,
        "organizers": json.loads(row.organizers),
        "kind": row.kind,
        "jurisdiction": row.jurisdiction,
        "host_type": row.host_type,
        "venue": row.venue,
        "starts_at": row.starts_on.isoformat(),
        "ends_at": row.ends_on.isoformat(),
        "expected_participants": row.expected_participants,
        "actual_participants": row.actual_participants,
        "status": _status(row.status, row.ends_on, today),
        "accepts_donations": bool(row.accepts_donations),
        "policy": _policy(json.loads(row.policy)),
        "band_changes": _json(row.band_changes) or [],
        "plan": _plan(_json(row.plan_summary), row.starts_on),
        "accounted": _json(row.accounted),
        "certificate": certificate,
    }


def upgrade() -> None:
    bind = op.get_bind()
    today = datetime.now(CHINA).date()
    now = datetime.now(UTC)
    rows = bind.execute(sa.select(_events).order_by(_events.c.pk)).all()
    for row in rows:
        seq = bind.execute(
            sa.insert(_messages)
            .values(
                id=str(uuid.uuid4()),
                topic=TOPIC,
                record_id=row.id,
                payload=json.dumps(public_state(row, today), default=str, ensure_ascii=False),
                created_at=now,
            )
            .returning(_messages.c.seq)
        ).scalar_one()
        bind.execute(
            sa.insert(_deliveries).values(message_seq=seq, receiver=RECEIVER, attempts=0, next_attempt_at=now)
        )


def downgrade() -> None:
    # The notifications stay: they describe the events truly, and the registry may have applied them.
    pass
