"""external claims

External cancellations are claims with a status (claimed, confirmed, rejected, voided) and a decision,
the day they were cancelled, and the beneficiary and purpose on their certificate. Rows disclosed
before are claims (`claimed`).

Revision ID: 5c1f0e7a9b3d
Revises: 8daee2997053
Create Date: 2026-12-08 03:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5c1f0e7a9b3d"
down_revision = "8daee2997053"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("disclosed_cancellations") as batch_op:
        batch_op.add_column(sa.Column("cancelled_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("beneficiary", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=12), server_default="claimed", nullable=False))
        batch_op.add_column(sa.Column("decision", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("disclosed_cancellations") as batch_op:
        for column in ("decision", "status", "purpose", "beneficiary", "cancelled_on"):
            batch_op.drop_column(column)
