"""SQL of audit rounds and findings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.audits.models import AuditFinding, AuditRound


def get(session: Session, round_id: str) -> AuditRound | None:
    """An audit round by id."""
    return session.get(AuditRound, round_id)


def add(session: Session, row: AuditRound | AuditFinding) -> None:
    """Insert a round or a finding."""
    session.add(row)
    session.flush()


def findings_of(session: Session, round_id: str) -> Sequence[AuditFinding]:
    """A round's findings, oldest first."""
    return session.execute(
        select(AuditFinding).where(AuditFinding.round_id == round_id).order_by(AuditFinding.created_at, AuditFinding.id)
    ).scalars().all()


def finding_for(session: Session, round_id: str, certificate_id: str) -> AuditFinding | None:
    """The round's finding for one certificate."""
    return session.execute(
        select(AuditFinding).where(AuditFinding.round_id == round_id, AuditFinding.certificate_id == certificate_id)
    ).scalar_one_or_none()
