"""Retirements and donations, and the bindings of Shandong's rule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class Retirement(Base):
    """Credits retired for an event; a donation is a retirement whose donor is on record."""

    __tablename__ = "retirements"
    __table_args__ = (
        CheckConstraint("kind IN ('retirement', 'donation')", name="ck_retirements_kind"),
        CheckConstraint("quantity >= 1", name="ck_retirements_quantity"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    from_account: Mapped[str] = mapped_column(String(40), ForeignKey("accounts.id"), index=True)
    donor_kind: Mapped[str | None] = mapped_column(String(20))
    unit_type: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(BigInteger)
    beneficiary: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProjectBinding(Base):
    """Shandong's rule: a new forestry or ocean sink project, once used for an event, serves it alone."""

    __tablename__ = "project_bindings"

    project_id: Mapped[str] = mapped_column(String(40), ForeignKey("projects.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100))
    retirement_id: Mapped[str] = mapped_column(String(40), ForeignKey("retirements.id"))
    bound_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
