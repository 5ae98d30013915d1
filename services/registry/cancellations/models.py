"""External cancellations (claims until confirmed), their decisions, and the per-series rows that serialize
their double-claim checks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class ExternalCancellation(Base):
    """A cancellation made in another registry (CCER, CEA, CER, VCU), recorded here once, as a claim.

    It starts ``claimed``; the event's engaged evaluator or the regulator confirms or rejects it, and the
    regulator can void it (a claim on someone else's serials). Rejected and voided claims free their
    serials. Records made before claims had a state are ``claimed`` with no cancellation date.

    ``registry_name`` maps the column ``registry``: the attribute name ``registry`` is reserved by
    SQLAlchemy's declarative classes.
    """

    __tablename__ = "external_cancellations"
    __table_args__ = (
        Index("ix_external_cancellations_range", "registry", "series", "range_start"),
        CheckConstraint("range_end >= range_start", name="ck_external_cancellations_range"),
        CheckConstraint(
            "status IN ('claimed', 'confirmed', 'rejected', 'voided')", name="ck_external_cancellations_status"
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    registry_name: Mapped[str] = mapped_column("registry", String(8))
    serial_from: Mapped[str] = mapped_column(String(200))
    serial_to: Mapped[str] = mapped_column(String(200))
    series: Mapped[str] = mapped_column(String(420))
    range_start: Mapped[int] = mapped_column(BigInteger)
    range_end: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    cancellation_ref: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str] = mapped_column(String(100))
    project_province: Mapped[str] = mapped_column(String(20))
    vintage: Mapped[int] = mapped_column(Integer)
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    beneficiary: Mapped[str | None] = mapped_column(String(500))
    purpose: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), server_default="claimed")
    decision_id: Mapped[str | None] = mapped_column(String(40))
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClaimDecision(Base):
    """A decision on an external claim: confirmed or rejected by the evaluator or regulator, or voided."""

    __tablename__ = "claim_decisions"
    __table_args__ = (
        CheckConstraint("outcome IN ('confirmed', 'rejected', 'voided')", name="ck_claim_decisions_outcome"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    cancellation_id: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(1000))
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_as: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExternalSeries(Base):
    """One row per (registry, series): recording a cancellation bumps its version first."""

    __tablename__ = "external_series"

    registry_name: Mapped[str] = mapped_column("registry", String(8), primary_key=True)
    series: Mapped[str] = mapped_column(String(420), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
