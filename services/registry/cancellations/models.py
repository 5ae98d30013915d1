"""External cancellations and the per-series rows that serialize their double-claim checks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class ExternalCancellation(Base):
    """A cancellation made in another registry (CCER, CEA, CER, VCU), recorded here once.

    ``registry_name`` maps the column ``registry``: the attribute name ``registry`` is reserved by
    SQLAlchemy's declarative classes.
    """

    __tablename__ = "external_cancellations"
    __table_args__ = (
        Index("ix_external_cancellations_range", "registry", "series", "range_start"),
        CheckConstraint("range_end >= range_start", name="ck_external_cancellations_range"),
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExternalSeries(Base):
    """One row per (registry, series): recording a cancellation bumps its version first."""

    __tablename__ = "external_series"

    registry_name: Mapped[str] = mapped_column("registry", String(8), primary_key=True)
    series: Mapped[str] = mapped_column(String(420), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
