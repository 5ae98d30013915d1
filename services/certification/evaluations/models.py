"""Third-party evaluations recorded for applications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.certification.database import Base


class Evaluation(Base):
    """An accredited body's evaluation of an event's neutrality; never changed once recorded."""

    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint("conclusion IN ('confirmed', 'not_confirmed')", name="ck_evaluations_conclusion"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(40), ForeignKey("applications.id"), index=True)
    body: Mapped[str] = mapped_column(String(300))
    accreditation_number: Mapped[str] = mapped_column(String(100))
    evaluators: Mapped[list[str]] = mapped_column(JSON)
    conclusion: Mapped[str] = mapped_column(String(20))
    statement: Mapped[str | None] = mapped_column(Text)
    report_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by_owner: Mapped[str] = mapped_column(String(200))
    recorded_by_client: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
