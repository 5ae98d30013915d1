"""SQL of third-party evaluations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.evaluations.models import Evaluation


def add(session: Session, evaluation: Evaluation) -> None:
    """Insert an evaluation."""
    session.add(evaluation)
    session.flush()


def ids_for(session: Session, application_id: str) -> list[str]:
    """The application's evaluation ids, oldest first."""
    return list(
        session.execute(
            select(Evaluation.id)
            .where(Evaluation.application_id == application_id)
            .order_by(Evaluation.created_at, Evaluation.id)
        ).scalars()
    )


def latest_for(session: Session, application_id: str) -> Evaluation | None:
    """The application's most recent evaluation: the one that counts."""
    return session.execute(
        select(Evaluation)
        .where(Evaluation.application_id == application_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(1)
    ).scalar_one_or_none()
