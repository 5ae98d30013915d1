"""SQL of applications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from services.certification.applications.models import Application
from shared.db.transactions import expect_rows


def get(session: Session, application_id: str) -> Application | None:
    """An application by id."""
    return session.get(Application, application_id)


def add(session: Session, application: Application) -> None:
    """Insert an application."""
    session.add(application)
    session.flush()


def change(session: Session, application: Application, **values: Any) -> None:
    """Update an open application, only if nobody changed it since it was read (ConcurrentUpdate otherwise)."""
    result = session.execute(
        update(Application)
        .where(
            Application.id == application.id,
            Application.version == application.version,
            Application.status == "open",
        )
        .values(version=application.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    expect_rows(result)
    session.expire(application)


def record_checks(
    session: Session,
    application: Application,
    checks: list[dict[str, Any]],
    ready: bool,
    policy: dict[str, Any],
    at: datetime,
) -> None:
    """Store the checks as just run."""
    change(session, application, checks=checks, ready=ready, policy=policy, checked_at=at)
