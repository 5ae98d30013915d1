"""Audit rounds with everything needed to redo their draw, and the findings recorded against them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.certification.database import Base


class AuditRound(Base):
    """A round: the signed registry checkpoint it was seeded from, the method, the population and the sample."""

    __tablename__ = "audit_rounds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(20), index=True)
    sample_rate: Mapped[str] = mapped_column(String(20))
    checkpoint: Mapped[str] = mapped_column(Text)
    log_origin: Mapped[str] = mapped_column(String(200))
    log_key: Mapped[str] = mapped_column(String(300))
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(Text)
    population: Mapped[list[str]] = mapped_column(JSON)
    sample: Mapped[list[str]] = mapped_column(JSON)
    created_by_owner: Mapped[str] = mapped_column(String(200))
    created_by_client: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditFinding(Base):
    """What an auditor found for one drawn certificate; a fail revokes it."""

    __tablename__ = "audit_findings"
    __table_args__ = (
        CheckConstraint("outcome IN ('pass', 'fail')", name="ck_audit_findings_outcome"),
        UniqueConstraint("round_id", "certificate_id", name="uq_audit_findings_round_certificate"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    round_id: Mapped[str] = mapped_column(String(40), ForeignKey("audit_rounds.id"))
    certificate_id: Mapped[str] = mapped_column(String(40), ForeignKey("certificates.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(4))
    findings: Mapped[str] = mapped_column(Text)
    recorded_by_owner: Mapped[str] = mapped_column(String(200))
    recorded_by_client: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
