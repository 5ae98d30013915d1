"""Inventory versions: each keeps its lines with their results and its totals as JSON text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.accounting.database import Base
from services.accounting.events.models import Event
from shared.db.kernel_tables import SequenceId


class InventoryVersion(Base):
    """One version of an event's inventory: a draft until submitted, then never changed again."""

    __tablename__ = "inventory_versions"
    __table_args__ = (UniqueConstraint("event_id", "version", name="uq_inventory_versions_event_version"),)

    id: Mapped[int] = mapped_column(SequenceId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40), ForeignKey("events.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    amends: Mapped[int | None] = mapped_column(Integer)
    actual_participants: Mapped[int] = mapped_column(Integer)
    factor_dataset_version: Mapped[str] = mapped_column(String(40))
    line_count: Mapped[int] = mapped_column(Integer)
    total_kgco2e: Mapped[str] = mapped_column(String(80))
    # Totals on both bases, electricity and the factors used; small, read with every version.
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Every line as sent with its emissions and trace; large, so loaded only when asked for, and the
    # last column, so that SQLite reads the others without walking past it.
    lines: Mapped[str] = mapped_column(Text, deferred=True, deferred_raiseload=True)

    event: Mapped[Event] = relationship(lazy="raise")
