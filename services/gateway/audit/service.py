"""Recording administrative actions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.gateway.audit.models import AuditEvent


def record(session: Session, *, actor: str, action: str, target: str, source: str, **detail: Any) -> None:
    """Append an audit event in the caller's transaction (never a secret in `detail`)."""
    session.add(
        AuditEvent(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            target=target,
            source=source,
            detail=json.dumps(detail, default=str),
        )
    )
