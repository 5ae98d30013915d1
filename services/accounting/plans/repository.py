"""SQL for implementation plans."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.accounting.plans.models import Plan
from services.accounting.problems import ConcurrentChange


def of_event(session: Session, event_id: str) -> Plan | None:
    """The event's plan, if saved."""
    return session.execute(select(Plan).where(Plan.event_id == event_id)).scalar_one_or_none()


def add(session: Session, plan: Plan) -> None:
    """Insert the event's first plan; a concurrent first save loses with 409."""
    session.add(plan)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConcurrentChange("Another request saved this plan at the same time; retry.") from exc
