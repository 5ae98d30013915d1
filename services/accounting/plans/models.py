"""Implementation plans: one per event, replaced as a whole, stored as JSON text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.accounting.database import Base
from services.accounting.events.models import Event


class Plan(Base):
    """An event's implementation plan: the document as last saved, with its estimate."""

    __tablename__ = "plans"

    event_id: Mapped[str] = mapped_column(String(40), ForeignKey("events.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    event: Mapped[Event] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": revision}
