"""The read model's tables: one row per record, holding the state with the sender's highest `seq`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.disclosure.database import Base
from shared.db.kernel_tables import SequenceId


class DisclosedEvent(Base):
    """An event as accounting last described it; `document` keeps only its public state."""

    __tablename__ = "disclosed_events"
    __table_args__ = (
        Index("ix_disclosed_events_order", "starts_on", "id"),
        Index("ix_disclosed_events_filters", "jurisdiction", "kind", "status"),
    )

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text)
    # Lower-cased name and (when the profile discloses them) organizers, for `q`.
    search_text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(50))
    jurisdiction: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    profile_id: Mapped[str | None] = mapped_column(String(100))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DisclosedRetirement(Base):
    """A retirement or donation on the platform registry."""

    __tablename__ = "disclosed_retirements"
    __table_args__ = (Index("ix_disclosed_retirements_order", "retired_at", "id"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    unit_type: Mapped[str] = mapped_column(String(20), index=True)
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    beneficiary: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    donor_kind: Mapped[str | None] = mapped_column(String(20))
    log_index: Mapped[int | None] = mapped_column(BigInteger)
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Calendar month in China Standard Time, for the monthly statistics on both databases alike.
    month: Mapped[str] = mapped_column(String(7), index=True)
    source_created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    serial_ranges: Mapped[list[DisclosedSerialRange]] = relationship(
        lazy="raise", order_by="DisclosedSerialRange.position", viewonly=True
    )


class DisclosedSerialRange(Base):
    """One serial range of a retirement, with the project it came from."""

    __tablename__ = "disclosed_serial_ranges"

    id: Mapped[int] = mapped_column(SequenceId, primary_key=True, autoincrement=True)
    retirement_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("disclosed_retirements.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    serial: Mapped[str] = mapped_column(String(200))
    range_start: Mapped[int] = mapped_column(BigInteger)
    range_end: Mapped[int] = mapped_column(BigInteger)
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[str | None] = mapped_column(String(100))
    project_name: Mapped[str | None] = mapped_column(Text)
    province: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(50))
    vintage: Mapped[int | None] = mapped_column(Integer)


# External claims that count in totals: rejected and voided ones are disclosed, never added up.
LIVE_CLAIMS = ("claimed", "confirmed")


class DisclosedCancellation(Base):
    """A cancellation made in another registry and recorded on the platform."""

    __tablename__ = "disclosed_cancellations"
    __table_args__ = (Index("ix_disclosed_cancellations_order", "recorded_at", "id"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    # "registry" is reserved by SQLAlchemy's declarative classes.
    registry_code: Mapped[str] = mapped_column(String(20), index=True)
    serial_from: Mapped[str] = mapped_column(String(200))
    serial_to: Mapped[str] = mapped_column(String(200))
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    cancellation_ref: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str | None] = mapped_column(String(100))
    project_province: Mapped[str | None] = mapped_column(String(20))
    vintage: Mapped[int | None] = mapped_column(Integer)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    beneficiary: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text)
    # claimed until decided; rejected and voided claims are shown but never counted
    status: Mapped[str] = mapped_column(String(12), server_default="claimed")
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    log_index: Mapped[int | None] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    month: Mapped[str] = mapped_column(String(7), index=True)
    source_created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DisclosedCertificate(Base):
    """A certificate with its live status; `document` keeps its public state and signed form."""

    __tablename__ = "disclosed_certificates"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
