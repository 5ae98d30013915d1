"""Creating, changing and reading events, and telling the other services what changed."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.accounting.auth import ensure_owner
from services.accounting.clock import china_today, now
from services.accounting.errors import InvalidEvent
from services.accounting.events import repository
from services.accounting.events.models import Event
from services.accounting.events.policy import policy_document
from services.accounting.events.repository import EventQuery
from services.accounting.events.schemas import EventChange, EventCreate
from services.accounting.events.snapshot import public_state
from services.accounting.events.status import BEFORE_ACCOUNTING, EventStatus, effective_status
from services.accounting.jsontext import dumps
from services.accounting.policies.profiles import resolve
from services.accounting.policies.vocabulary import HostType
from services.accounting.problems import EventLocked
from shared.auth.tokens import Principal
from shared.outbox import Outbox
from shared.problems import NotFound

TOPIC = "event.updated"
MAX_DAYS = 366
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidEvent(
            f"The event ends on {ends_on.isoformat()}, before it starts on {starts_on.isoformat()}.",
            starts_at=starts_on.isoformat(),
            ends_at=ends_on.isoformat(),
        )
    if ends_on - starts_on >= timedelta(days=MAX_DAYS):
        raise InvalidEvent(f"An event lasts at most {MAX_DAYS} days; split longer programmes into events.")
    for day in (starts_on, ends_on):
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise InvalidEvent(f"{day.isoformat()} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}.")


def _apply_policy(event: Event) -> None:
    resolution = resolve(event.jurisdiction, HostType(event.host_type), event.expected_participants, event.ends_on)
    event.jurisdiction = resolution.requested_jurisdiction
    event.profile_id = resolution.profile_id
    event.policy = dumps(policy_document(resolution)).decode()


def create_event(session: Session, outbox: Outbox, owner: str, body: EventCreate) -> Event:
    """Record a new event with the policy that applies to it, and announce it."""
    _check_dates(body.starts_at, body.ends_at)
    stamp = now()
    event = Event(
        id=f"evt_{secrets.token_hex(10)}",
        owner=owner,
        name=body.name,
        organizers=dumps(body.organizers).decode(),
        kind=body.kind.value,
        jurisdiction=body.jurisdiction,
        host_type=body.host_type.value,
        venue=body.venue,
        starts_on=body.starts_at,
        ends_on=body.ends_at,
        expected_participants=body.expected_participants,
        actual_participants=None,
        status=EventStatus.PLANNED.value,
        created_at=stamp,
        updated_at=stamp,
    )
    _apply_policy(event)
    repository.add(session, event)
    publish(session, outbox, event)
    return event


def change_event(session: Session, outbox: Outbox, principal: Principal, event_id: str, body: EventChange) -> Event:
    """Correct an event's facts before its inventory is submitted; the policy is resolved again."""
    event = owned_event(session, principal, event_id)
    status = effective_status(event.status, event.ends_on, china_today())
    if status not in BEFORE_ACCOUNTING:
        raise EventLocked(
            f"Event {event_id} is {status.value}; its facts are fixed once an inventory is submitted.",
            status=status.value,
        )
    changes: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True)
    starts_on = body.starts_at or event.starts_on
    ends_on = body.ends_at or event.ends_on
    _check_dates(starts_on, ends_on)
    event.starts_on, event.ends_on = starts_on, ends_on
    if "organizers" in changes:
        event.organizers = dumps(changes["organizers"]).decode()
    for name in ("name", "kind", "jurisdiction", "host_type", "venue", "expected_participants"):
        if name in changes:
            setattr(event, name, changes[name])
    _apply_policy(event)
    changed(session, outbox, event)
    return event


def get_event(session: Session, event_id: str) -> Event:
    """The event, or a 404 problem."""
    event = repository.by_id(session, event_id)
    if event is None:
        raise NotFound(f"No event {event_id}.", event_id=event_id)
    return event


def owned_event(session: Session, principal: Principal, event_id: str) -> Event:
    """The event, if the caller's owner holds it (404 when it does not exist, 403 when another owns it)."""
    event = get_event(session, event_id)
    ensure_owner(principal, event.owner, event_id)
    return event


def list_events(session: Session, query: EventQuery, before_pk: int | None, limit: int) -> list[Event]:
    """A page of events, newest first."""
    return repository.page(session, query, china_today(), before_pk, limit)


def publish(session: Session, outbox: Outbox, event: Event) -> None:
    """Write `event.updated` with the event's full public state, in the caller's transaction."""
    outbox.publish(session, TOPIC, event.id, public_state(event, china_today()))


def changed(session: Session, outbox: Outbox, event: Event) -> None:
    """Stamp a change, check nobody changed the event meanwhile (flush), and announce it."""
    event.updated_at = now()
    session.flush()
    publish(session, outbox, event)


def record_participants(event: Event, actual_participants: int) -> None:
    """Actual participants are known: the event has been held."""
    event.actual_participants = actual_participants
    if effective_status(event.status, event.ends_on, china_today()) in BEFORE_ACCOUNTING:
        event.status = EventStatus.HELD.value


def record_plan(event: Event, summary: dict[str, Any]) -> None:
    """Keep the public part of the implementation plan with the event."""
    event.plan_summary = dumps(summary).decode()


def record_accounted(event: Event, accounted: dict[str, Any], version: int, actual_participants: int) -> None:
    """A submitted inventory version becomes the event's accounted emissions."""
    event.accounted = dumps(accounted).decode()
    event.accounted_version = version
    event.actual_participants = actual_participants
    event.status = EventStatus.ACCOUNTED.value
