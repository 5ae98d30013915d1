"""The registry's read model of events, fed by accounting's `event.updated`, and the owners' delegations.

The registry never reads accounting's tables nor calls it while it writes: what it knows of an event
is what the last notification it applied said (``seq`` keeps the newest), and every retirement,
donation and external cancellation is checked against that.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class KnownEvent(Base):
    """An event as accounting last announced it: who may act for it, its dates, size and state."""

    __tablename__ = "known_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    accepts_donations: Mapped[bool] = mapped_column(Boolean)
    jurisdiction: Mapped[str] = mapped_column(String(12))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    expected_participants: Mapped[int] = mapped_column(Integer)
    actual_participants: Mapped[int | None] = mapped_column(Integer)
    profile_id: Mapped[str | None] = mapped_column(String(100))
    band: Mapped[str | None] = mapped_column(String(100))
    confirmation_method: Mapped[str | None] = mapped_column(String(30))
    # accounting's outbox sequence number of the notification this row reflects
    source_seq: Mapped[int] = mapped_column(BigInteger)
    known_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventDelegation(Base):
    """A client the event's owner lets act for the event: record offsets (``retire``) or decide its
    external claims as its engaged third-party evaluator (``evaluate``)."""

    __tablename__ = "event_delegations"
    __table_args__ = (
        # One active grant per event, client and role; revoked grants stay on record beside it.
        Index(
            "uq_event_delegations_active",
            "event_id",
            "client_id",
            "role",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    client_id: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revocation_id: Mapped[str | None] = mapped_column(String(40))
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
