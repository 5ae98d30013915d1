"""known events, delegations and external claims

The registry's read model of events (fed by accounting's `event.updated`), the delegations event
owners grant, and external cancellations as claims: the day they were cancelled, the beneficiary and
purpose on the other registry's certificate, where the evidence is, a status and the decisions on it.
Cancellations recorded before are claims too (`claimed`), with no cancellation day.

Revision ID: e255d342926c
Revises: ef7e0a2581b5
Create Date: 2026-12-08 02:25:24.704379
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e255d342926c"
down_revision = "ef7e0a2581b5"
branch_labels = None
depends_on = None

ACTIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "known_events",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("accepts_donations", sa.Boolean(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("expected_participants", sa.Integer(), nullable=False),
        sa.Column("actual_participants", sa.Integer(), nullable=True),
        sa.Column("profile_id", sa.String(length=100), nullable=True),
        sa.Column("band", sa.String(length=100), nullable=True),
        sa.Column("confirmation_method", sa.String(length=30), nullable=True),
        sa.Column("source_seq", sa.BigInteger(), nullable=False),
        sa.Column("known_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "event_delegations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revocation_id", sa.String(length=40), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_delegations_event_id", "event_delegations", ["event_id"])
    op.create_index(
        "uq_event_delegations_active",
        "event_delegations",
        ["event_id", "client_id", "role"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_table(
        "claim_decisions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("cancellation_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_as", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("outcome IN ('confirmed', 'rejected', 'voided')", name="ck_claim_decisions_outcome"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_claim_decisions_cancellation_id", "claim_decisions", ["cancellation_id"])
    with op.batch_alter_table("external_cancellations") as batch_op:
        batch_op.add_column(sa.Column("evidence_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("cancelled_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("beneficiary", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=12), server_default="claimed", nullable=False))
        batch_op.add_column(sa.Column("decision_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("recorded_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_check_constraint(
            "ck_external_cancellations_status", "status IN ('claimed', 'confirmed', 'rejected', 'voided')"
        )


def downgrade() -> None:
    with op.batch_alter_table("external_cancellations") as batch_op:
        batch_op.drop_constraint("ck_external_cancellations_status", type_="check")
        for column in ("version", "recorded_by", "decision_id", "status", "purpose", "beneficiary", "cancelled_on",
                       "evidence_url"):
            batch_op.drop_column(column)
    op.drop_index("ix_claim_decisions_cancellation_id", table_name="claim_decisions")
    op.drop_table("claim_decisions")
    op.drop_index("uq_event_delegations_active", table_name="event_delegations")
    op.drop_index("ix_event_delegations_event_id", table_name="event_delegations")
    op.drop_table("event_delegations")
    op.drop_table("known_events")
