"""Recording administrative actions: a row in the audit trail and a JSON log line."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from services.disclosure.audit.models import AuditRecord
from shared.auth.tokens import Principal
from shared.logs import current_request_id

log = logging.getLogger("lingtan.disclosure.audit")


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the peer address and, behind the gateway, the address it saw."""

    peer: str
    forwarded_for: str | None

    @property
    def source(self) -> str:
        """One line for the trail."""
        return self.peer if self.forwarded_for is None else f"{self.forwarded_for} via {self.peer}"


def origin_of(request: Request) -> Origin:
    """The request's origin (X-Forwarded-For is recorded beside the peer, never instead of it)."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    return Origin(peer=peer, forwarded_for=forwarded[:200] if forwarded else None)


def record(
    session: Session, *, caller: Principal, action: str, target: str, origin: Origin, **detail: Any
) -> None:
    """Append an audit record in the caller's transaction and log it (never a secret in `detail`)."""
    at = datetime.now(UTC)
    session.add(
        AuditRecord(
            at=at,
            actor=caller.client_id,
            owner=caller.owner,
            action=action,
            target=target[:200],
            source=origin.source[:200],
            request_id=current_request_id(),
            detail=detail,
        )
    )
    log.info(
        "administrative action",
        extra={
            "audit_action": action,
            "audit_target": target,
            "actor": caller.client_id,
            "actor_owner": caller.owner,
            "source": origin.source,
            "at": at.isoformat(),
            **{f"detail_{k}": v for k, v in detail.items()},
        },
    )
