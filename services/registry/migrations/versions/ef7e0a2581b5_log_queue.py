"""log queue: committed changes waiting for their leaf index

Changes no longer claim their leaf index in their own transaction (which held the log's one state
row until commit); they queue their entry here and the sequencer appends queued entries in batches.

Revision ID: ef7e0a2581b5
Revises: a022444bb9ae
Create Date: 2026-11-22 05:00:27.964943
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ef7e0a2581b5"
down_revision = "a022444bb9ae"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_queue",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("notification", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("record_id"),
    )


def downgrade() -> None:
    op.drop_table("log_queue")
