"""The events table: one row per event, holding everything its public state is made of."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from services.accounting.database import Base
from shared.db.kernel_tables import SequenceId


class Event(Base):
    """An event; the policy, plan summary and accounted emissions are JSON text written by this service."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_owner", "owner", "pk"),
        Index("ix_events_jurisdiction", "jurisdiction", "pk"),
        Index("ix_events_status", "status", "pk"),
    )

    # A sequence gives lists a stable newest-first order; `id` is what clients see.
    pk: Mapped[int] = mapped_column(SequenceId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    owner: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    organizers: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(12))
    host_type: Mapped[str] = mapped_column(String(20))
    venue: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    expected_participants: Mapped[int] = mapped_column(Integer)
    actual_participants: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    # Whether anyone may donate credits to the event (the registry refuses donations otherwise).
    accepts_donations: Mapped[bool] = mapped_column(Boolean, server_default=false())
    profile_id: Mapped[str] = mapped_column(String(100))
    policy: Mapped[str] = mapped_column(Text)
    plan_summary: Mapped[str | None] = mapped_column(Text)
    accounted: Mapped[str | None] = mapped_column(Text)
    accounted_version: Mapped[int | None] = mapped_column(Integer)
    # Each change of band the actual participant count made, oldest first (JSON text; null: none).
    band_changes: Mapped[str | None] = mapped_column(Text)
    certificate_id: Mapped[str | None] = mapped_column(String(100))
    certificate_status: Mapped[str | None] = mapped_column(String(20))
    certificate_seq: Mapped[int | None] = mapped_column(BigInteger)
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # Two writers of one event cannot both win: the loser's flush finds the revision moved on.
    __mapper_args__ = {"version_id_col": revision}
