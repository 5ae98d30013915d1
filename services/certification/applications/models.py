"""Applications: the confirmation the organizer gave, the checks as last run, and the issuer's decision."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.certification.database import Base


class Application(Base):
    """An organizer's application for an event's certificate."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'approved', 'rejected')", name="ck_applications_status"),
        CheckConstraint("method IN ('self_commitment', 'third_party')", name="ck_applications_method"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    applicant_client: Mapped[str] = mapped_column(String(100))
    jurisdiction: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    contents: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    ready: Mapped[bool] = mapped_column(Boolean)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The policy as accounting resolved it when the checks last ran: what check 4 is re-run against.
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    applied_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    certificate_id: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
