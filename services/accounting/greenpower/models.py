"""Claims on green-electricity certificates: one row per certificate, naming the one event that holds it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.accounting.database import Base


class GreenCertificateClaim(Base):
    """A certificate reference held by one event; the key is unique, so no second event can hold it."""

    __tablename__ = "green_certificate_claims"

    # SHA-256 (hex) of the reference's key (inventory/references.py): fixed length whatever was typed.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The reference as the holding event first wrote it, for the problem that names it.
    reference: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(40), ForeignKey("events.id"), index=True)
    # True once a submitted inventory version names it: the accounted record keeps it for good.
    submitted: Mapped[bool] = mapped_column(Boolean)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
