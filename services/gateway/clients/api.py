"""Administration over HTTP (scope `admin`): register clients, rotate keys, read the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.gateway.audit import service as audit
from services.gateway.audit.models import AuditEvent
from services.gateway.clients.service import create_client
from shared.auth.dependencies import AdministerPlatform as Admin

router = APIRouter(prefix="/admin", tags=["administration"])
MAX_AUDIT_PAGE = 500


class ClientRequest(BaseModel):
    """A client to register."""

    name: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=200)
    scopes: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(min_length=1, max_length=20)


class ClientCreated(BaseModel):
    """The new client; the secret is shown this once."""

    client_id: str
    client_secret: str
    name: str
    owner: str
    scopes: list[str]


def _source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/clients", status_code=201, response_model=ClientCreated, summary="Register an OAuth client")
def register_client(body: ClientRequest, request: Request, caller: Admin) -> ClientCreated:
    """Register a client and return its secret once."""
    gateway = request.app.state.gateway
    with gateway.database.writes() as session, session.begin():
        new = create_client(session, name=body.name, owner=body.owner, scopes=body.scopes)
        audit.record(
            session, actor=caller.client_id, action="client.created", target=new.client_id,
            source=_source(request), owner=new.owner, scopes=new.scopes,
        )
    return ClientCreated(**new.__dict__)


@router.post("/keys/rotate", summary="Rotate the token signing key")
def rotate_keys(request: Request, caller: Admin) -> dict[str, str]:
    """Start signing with a new key; the old one stays published until its tokens expire."""
    gateway = request.app.state.gateway
    kid = gateway.keys.rotate()
    with gateway.database.writes() as session, session.begin():
        audit.record(session, actor=caller.client_id, action="keys.rotated", target=kid, source=_source(request))
    return {"active_kid": kid}


@router.get("/audit", summary="The audit trail of administrative actions")
def audit_trail(
    request: Request, _caller: Admin, limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = 100
) -> list[dict[str, Any]]:
    """The latest administrative actions, newest first."""
    gateway = request.app.state.gateway
    with gateway.database.reads() as session:
        rows = session.execute(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        ).scalars()
        return [
            {"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "target": r.target,
             "source": r.source, "detail": r.detail}
            for r in rows
        ]
