"""SQL of the registry's known events and of the delegations their owners grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, exists, insert, select, update

from services.registry.events.models import EventDelegation, KnownEvent
from services.registry.sql import insert_if_absent
from shared.db.executor import Executor
from shared.db.transactions import expect_rows

_EVENTS = cast(Table, KnownEvent.__table__)
_DELEGATIONS = cast(Table, EventDelegation.__table__)
_e, _d = _EVENTS.c, _DELEGATIONS.c
_ACTIVE = _d.revoked_at.is_(None)
RETIRE, EVALUATE = "retire", "evaluate"

# Whether the calling client holds an active delegation of the role asked for the event.
_DELEGATED = (
    exists()
    .where(_d.event_id == _e.id, _d.client_id == bindparam("client_id"), _d.role == bindparam("role"), _ACTIVE)
    .label("delegated")
)
_EVENT_FOR_CLIENT = select(_EVENTS, _DELEGATED).where(_e.id == bindparam("event_id"))
_EVENT_COLUMNS = [column.label(f"event_{column.name}") for column in _EVENTS.c]
_NEWER = update(_EVENTS).where(_e.id == bindparam("event_id"), _e.source_seq < bindparam("new_seq"))
_INSERT_DELEGATION = insert(_DELEGATIONS)
_ACTIVE_GRANT = select(_d.id).where(
    _d.event_id == bindparam("event_id"), _d.client_id == bindparam("client_id"), _d.role == bindparam("role"), _ACTIVE
)
_DELEGATION = select(_DELEGATIONS).where(_d.id == bindparam("delegation_id"))
_REVOKE = update(_DELEGATIONS).where(_d.id == bindparam("delegation_id"), _ACTIVE)


@dataclass(frozen=True)
class KnownEventRecord:
    """An event as the registry knows it, and whether the caller's client is delegated for it."""

    id: str
    owner: str
    status: str
    accepts_donations: bool
    jurisdiction: str
    starts_on: date
    ends_on: date
    expected_participants: int
    actual_participants: int | None
    profile_id: str | None
    band: str | None
    confirmation_method: str | None
    source_seq: int
    known_since: datetime
    updated_at: datetime
    delegated: bool = False


@dataclass(frozen=True)
class DelegationRecord:
    """A delegation as stored."""

    id: str
    event_id: str
    client_id: str
    role: str
    granted_by: str
    granted_at: datetime
    revocation_id: str | None
    revoked_by: str | None
    revoked_at: datetime | None


def _event(row: Any, delegated: bool = False, prefix: str = "") -> KnownEventRecord:
    def column(name: str) -> Any:
        return getattr(row, prefix + name)

    actual = column("actual_participants")
    return KnownEventRecord(
        id=column("id"),
        owner=column("owner"),
        status=column("status"),
        accepts_donations=bool(column("accepts_donations")),
        jurisdiction=column("jurisdiction"),
        starts_on=column("starts_on"),
        ends_on=column("ends_on"),
        expected_participants=int(column("expected_participants")),
        actual_participants=None if actual is None else int(actual),
        profile_id=column("profile_id"),
        band=column("band"),
        confirmation_method=column("confirmation_method"),
        source_seq=int(column("source_seq")),
        known_since=column("known_since"),
        updated_at=column("updated_at"),
        delegated=delegated,
    )


def _delegation(row: Any) -> DelegationRecord:
    return DelegationRecord(
        id=row.id,
        event_id=row.event_id,
        client_id=row.client_id,
        role=row.role,
        granted_by=row.granted_by,
        granted_at=row.granted_at,
        revocation_id=row.revocation_id,
        revoked_by=row.revoked_by,
        revoked_at=row.revoked_at,
    )


def event_for(session: Executor, event_id: str, client_id: str, role: str = RETIRE) -> KnownEventRecord | None:
    """The known event, with whether ``client_id`` holds an active delegation of ``role`` for it."""
    row = session.execute(_EVENT_FOR_CLIENT, {"event_id": event_id, "client_id": client_id, "role": role}).first()
    return None if row is None else _event(row, bool(row.delegated))


def with_event(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """``query`` with the event ``:event_id`` and the delegation of ``:client_id`` in ``:role`` as extra
    columns (``event_*``, NULL when the registry does not know the event): a value-moving write reads
    its account and its event in one round trip (credits.repository.account_with_holdings)."""
    return query.add_columns(*_EVENT_COLUMNS, _DELEGATED).outerjoin(_EVENTS, _e.id == bindparam("event_id"))


def event_parameters(event_id: str, client_id: str, role: str = RETIRE) -> dict[str, Any]:
    """The parameters ``with_event`` takes."""
    return {"event_id": event_id, "client_id": client_id, "role": role}


def event_in(row: Any) -> KnownEventRecord | None:
    """The event a ``with_event`` row carries, or None when the registry does not know it."""
    if row is None or row.event_id is None:
        return None
    return _event(row, bool(row.delegated), prefix="event_")


def save_event(session: Executor, values: dict[str, Any]) -> bool:
    """Keep the newest state of an event; an older or repeated notification changes nothing.

    Returns whether the row changed.
    """
    if insert_if_absent(session, _EVENTS, values, ["id"]):
        return True
    changes = {k: v for k, v in values.items() if k not in ("id", "known_since")}
    result = session.execute(_NEWER, {**changes, "event_id": values["id"], "new_seq": values["source_seq"]})
    return bool(result.rowcount)  # type: ignore[attr-defined]


def add_delegation(session: Executor, values: dict[str, Any]) -> None:
    """Record a grant."""
    session.execute(_INSERT_DELEGATION, values)


def active_grant(session: Executor, event_id: str, client_id: str, role: str) -> str | None:
    """The id of the active grant of ``role`` to ``client_id`` for the event, if any."""
    found = session.execute(_ACTIVE_GRANT, {"event_id": event_id, "client_id": client_id, "role": role}).first()
    return None if found is None else str(found.id)


def delegation(session: Executor, delegation_id: str) -> DelegationRecord | None:
    """A delegation by id."""
    row = session.execute(_DELEGATION, {"delegation_id": delegation_id}).first()
    return None if row is None else _delegation(row)


def revoke(session: Executor, delegation_id: str, revocation_id: str, by: str, at: datetime) -> None:
    """End an active grant (a concurrent revocation makes this one run again and find it ended)."""
    ended = {"revocation_id": revocation_id, "revoked_by": by, "revoked_at": at}
    expect_rows(session.execute(_REVOKE, {"delegation_id": delegation_id, **ended}))


def delegations_of(session: Executor, event_id: str) -> list[DelegationRecord]:
    """Every grant of the event, newest first, revoked ones included."""
    rows = session.execute(
        select(_DELEGATIONS).where(_d.event_id == event_id).order_by(_d.granted_at.desc(), _d.id)
    )
    return [_delegation(row) for row in rows]
