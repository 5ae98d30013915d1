"""events accept donations and record band changes; green-electricity certificates claimed once

Revision ID: a76c7ae6fd2b
Revises: 48b6ed9b1f46
Create Date: 2026-12-08 02:43:28.000000
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from services.accounting.greenpower.service import claim_key

revision = "a76c7ae6fd2b"
down_revision = "48b6ed9b1f46"
branch_labels = None
depends_on = None

_versions = sa.table(
    "inventory_versions",
    sa.column("id", sa.Integer),
    sa.column("event_id", sa.String),
    sa.column("status", sa.String),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
    sa.column("lines", sa.Text),
)
_claims = sa.table(
    "green_certificate_claims",
    sa.column("key", sa.String),
    sa.column("reference", sa.String),
    sa.column("event_id", sa.String),
    sa.column("submitted", sa.Boolean),
    sa.column("claimed_at", sa.DateTime(timezone=True)),
)


def _claims_of_stored_inventories() -> list[dict[str, Any]]:
    # Submitted versions first (oldest submission first), then drafts by age: a certificate that two
    # events already named stays with the one whose accounted record counts it, and the other's next
    # draft that names it is refused.
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_versions.c.event_id, _versions.c.status, _versions.c.lines)
        .where(_versions.c.lines.like('%"green_certificates":["%'))
        .order_by(
            sa.case((_versions.c.status == "submitted", 0), else_=1),
            _versions.c.submitted_at,
            _versions.c.id,
        )
    )
    held: dict[str, dict[str, Any]] = {}
    now = datetime.now(UTC)
    for row in rows:
        submitted = row.status == "submitted"
        for line in json.loads(row.lines):
            for reference in line.get("green_certificates") or ():
                key = claim_key(reference)
                claim = held.get(key)
                if claim is None:
                    held[key] = {
                        "key": key,
                        "reference": reference.strip()[:200],
                        "event_id": row.event_id,
                        "submitted": submitted,
                        "claimed_at": now,
                    }
                elif claim["event_id"] == row.event_id and submitted:
                    claim["submitted"] = True
    return list(held.values())


def upgrade() -> None:
    # Events created before could be donated to by anyone; new events say so explicitly (default no).
    op.add_column("events", sa.Column("accepts_donations", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text("UPDATE events SET accepts_donations = :yes").bindparams(yes=True))
    op.add_column("events", sa.Column("band_changes", sa.Text(), nullable=True))
    op.create_table(
        "green_certificate_claims",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("submitted", sa.Boolean(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("green_certificate_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_green_certificate_claims_event_id"), ["event_id"], unique=False)
    claims = _claims_of_stored_inventories()
    if claims:
        op.bulk_insert(_claims, claims)


def downgrade() -> None:
    with op.batch_alter_table("green_certificate_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_green_certificate_claims_event_id"))
    op.drop_table("green_certificate_claims")
    op.drop_column("events", "band_changes")
    op.drop_column("events", "accepts_donations")
