"""Reading an event as the registry knows it; the owner's delegations, each a log entry."""

from __future__ import annotations

from typing import cast

from services.registry.auth import ADMIN
from services.registry.events import repository, rules
from services.registry.events.repository import DelegationRecord
from services.registry.events.schemas import DelegationCreate, DelegationOut, KnownEventOut, RevocationOut, Role
from services.registry.identifiers import aware, new_id, utc_now
from services.registry.log import repository as log_rows
from services.registry.log import service as log
from services.registry.problems import DelegationConflict, NotForThisEvent
from shared.auth.tokens import Principal
from shared.db.executor import Executor
from shared.problems import NotFound


def _delegation_out(record: DelegationRecord, log_index: int) -> DelegationOut:
    return DelegationOut(
        id=record.id,
        event_id=record.event_id,
        client_id=record.client_id,
        role=cast(Role, record.role),
        granted_at=aware(record.granted_at),
        revoked_at=None if record.revoked_at is None else aware(record.revoked_at),
        revocation_id=record.revocation_id,
        log_index=log_index,
    )


def read_event(session: Executor, principal: Principal, event_id: str) -> KnownEventOut:
    """The event's registry state; its owner also sees the owner and every delegation."""
    event = rules.known_event(session, event_id, principal)
    owner = rules.is_owner(principal, event)
    delegations = None
    if owner:
        records = repository.delegations_of(session, event_id)
        indexes = log_rows.indexes_of(session, [r.id for r in records])
        delegations = [_delegation_out(r, indexes.get(r.id, log.PENDING_INDEX)) for r in records]
    return KnownEventOut(
        id=event.id,
        status=event.status,
        accepts_offsets=rules.accepts_offsets(event),
        accepts_donations=event.accepts_donations,
        jurisdiction=event.jurisdiction,
        starts_at=event.starts_on,
        ends_at=event.ends_on,
        profile_id=event.profile_id,
        known_since=aware(event.known_since),
        updated_at=aware(event.updated_at),
        owner=event.owner if owner or principal.has(ADMIN) else None,
        delegations=delegations,
    )


def _owned(session: Executor, principal: Principal, event_id: str) -> None:
    event = rules.known_event(session, event_id, principal)
    if not rules.is_owner(principal, event):
        raise NotForThisEvent(f"Only the owner of event {event_id} grants and revokes its delegations.")


def grant(session: Executor, principal: Principal, event_id: str, request: DelegationCreate) -> DelegationOut:
    """The owner lets a client act for its event in one role; the grant enters the log."""
    _owned(session, principal, event_id)
    existing = repository.active_grant(session, event_id, request.client_id, request.role)
    if existing is not None:
        raise DelegationConflict(
            f"Client {request.client_id} already holds the {request.role} role for event {event_id} ({existing}).",
            delegation_id=existing,
        )
    record = DelegationRecord(
        id=new_id("dlg"),
        event_id=event_id,
        client_id=request.client_id,
        role=request.role,
        granted_by=principal.client_id,
        granted_at=utc_now(),
        revocation_id=None,
        revoked_by=None,
        revoked_at=None,
    )
    repository.add_delegation(
        session,
        {
            "id": record.id,
            "event_id": event_id,
            "client_id": record.client_id,
            "role": record.role,
            "granted_by": record.granted_by,
            "granted_at": record.granted_at,
        },
    )
    facts = {"delegation_id": record.id, "event_id": event_id, "client_id": record.client_id, "role": record.role}
    log.queue_entry(session, "delegation.granted", record.id, facts)
    return _delegation_out(record, log.PENDING_INDEX)


def revoke(session: Executor, principal: Principal, event_id: str, delegation_id: str) -> RevocationOut:
    """The owner ends a grant; the revocation is a log entry of its own."""
    _owned(session, principal, event_id)
    found = repository.delegation(session, delegation_id)
    if found is None or found.event_id != event_id:
        raise NotFound(f"Event {event_id} has no delegation {delegation_id}.")
    if found.revoked_at is not None:
        raise DelegationConflict(f"Delegation {delegation_id} was revoked already ({found.revocation_id}).")
    revocation_id, now = new_id("dlr"), utc_now()
    repository.revoke(session, delegation_id, revocation_id, principal.client_id, now)
    facts = {
        "revocation_id": revocation_id,
        "delegation_id": delegation_id,
        "event_id": event_id,
        "client_id": found.client_id,
        "role": found.role,
    }
    log.queue_entry(session, "delegation.revoked", revocation_id, facts)
    return RevocationOut(
        id=revocation_id,
        delegation_id=delegation_id,
        event_id=event_id,
        client_id=found.client_id,
        role=cast(Role, found.role),
        revoked_at=now,
        log_index=log.PENDING_INDEX,
    )
