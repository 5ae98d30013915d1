"""Creating, changing and reading events, and telling the other services what changed."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.accounting.auth import ensure_owner
from services.accounting.clock import china_today, now
from services.accounting.errors import InvalidEvent
from services.accounting.events import repository
from services.accounting.events.lifecycle import Standing, Transition, china_day, plan_late, require, summary_late
from services.accounting.events.models import Event
from services.accounting.events.policy import policy_document
from services.accounting.events.repository import EventQuery
from services.accounting.events.schemas import EventChange, EventCreate
from services.accounting.events.snapshot import public_state
from services.accounting.events.status import BEFORE_ACCOUNTING, EventStatus, effective_status
from services.accounting.jsontext import dumps, loads
from services.accounting.policies.profiles import resolve
from services.accounting.policies.vocabulary import HostType
from services.accounting.problems import BandChangesExhausted
from shared.auth.tokens import Principal
from shared.outbox import Outbox
from shared.problems import NotFound

TOPIC = "event.updated"
# Every change of band stays on record and travels in each notification: a bounded list, never pruned.
MAX_BAND_CHANGES = 100
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
    # The actual participant count, once an actual inventory gives it, decides the band.
    participants = event.expected_participants if event.actual_participants is None else event.actual_participants
    resolution = resolve(event.jurisdiction, HostType(event.host_type), participants, event.ends_on)
    event.jurisdiction = resolution.requested_jurisdiction
    event.profile_id = resolution.profile_id
    event.policy = dumps(policy_document(resolution)).decode()


def decide_band(event: Event, stamp: datetime) -> None:
    """Resolve the policy again; a band the actual participant count changes is recorded with the event."""
    before = loads(event.policy)
    _apply_policy(event)
    if event.actual_participants is None:
        # Before the actual count is known, a new band is a corrected estimate, not a change to disclose.
        return
    after = loads(event.policy)
    if before["band"] == after["band"]:
        return
    changes: list[dict[str, Any]] = [] if event.band_changes is None else loads(event.band_changes)
    if len(changes) >= MAX_BAND_CHANGES:
        raise BandChangesExhausted(
            f"Event {event.id} has changed band {len(changes)} times, the most one event records; its actual "
            f"participant count ({event.actual_participants}) would change it again.",
            event_id=event.id,
            band_changes=len(changes),
        )
    changes.append(
        {
            "from_band": before["band"],
            "to_band": after["band"],
            "from_method": before["confirmation_method"],
            "to_method": after["confirmation_method"],
            "participants": event.actual_participants,
            "basis": "actual",
            "changed_at": stamp.isoformat(),
        }
    )
    event.band_changes = dumps(changes).decode()


def _redate_plan(event: Event, starts_before: date) -> None:
    # A plan saved on or after the (corrected) first day is late; a late plan stays late.
    if event.plan_summary is None or event.starts_on == starts_before:
        return
    summary = loads(event.plan_summary)
    saved_at = summary.get("saved_at")
    late = summary_late(summary, starts_before)
    if isinstance(saved_at, str):
        late = plan_late(late, china_day(saved_at), event.starts_on)
    if summary.get("late") is not late:
        event.plan_summary = dumps({**summary, "late": late}).decode()


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
        accepts_donations=body.accepts_donations,
        band_changes=None,
        created_at=stamp,
        updated_at=stamp,
    )
    _apply_policy(event)
    repository.add(session, event)
    publish(session, outbox, event)
    return event


def change_event(session: Session, outbox: Outbox, principal: Principal, event_id: str, body: EventChange) -> Event:
    """Correct an event's facts before its inventory is submitted (the policy is resolved again), or open or
    close it to donations at any time."""
    event = owned_event(session, principal, event_id)
    standing = Standing.of(event, china_today())
    changes: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True)
    if "accepts_donations" in changes:
        require(Transition.SET_DONATIONS, standing)
        event.accepts_donations = changes.pop("accepts_donations")
    if changes:
        starts_on = body.starts_at or event.starts_on
        ends_on = body.ends_at or event.ends_on
        require(Transition.CHANGE_FACTS, standing.moved(starts_on, ends_on))
        _check_dates(starts_on, ends_on)
        starts_before = event.starts_on
        event.starts_on, event.ends_on = starts_on, ends_on
        if "organizers" in changes:
            event.organizers = dumps(changes["organizers"]).decode()
        for name in ("name", "kind", "jurisdiction", "host_type", "venue", "expected_participants"):
            if name in changes:
                setattr(event, name, changes[name])
        decide_band(event, now())
        _redate_plan(event, starts_before)
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


def record_participants(event: Event, actual_participants: int, stamp: datetime) -> None:
    """Actual participants are known: the event has been held, and the count decides its band."""
    event.actual_participants = actual_participants
    if effective_status(event.status, event.ends_on, china_today()) in BEFORE_ACCOUNTING:
        event.status = EventStatus.HELD.value
    decide_band(event, stamp)


def record_plan(event: Event, summary: dict[str, Any], saved_on: date) -> None:
    """Keep the public part of the implementation plan with the event, late if saved on or after the first day."""
    previous = None if event.plan_summary is None else loads(event.plan_summary)
    late = plan_late(summary_late(previous, event.starts_on), saved_on, event.starts_on)
    event.plan_summary = dumps({**summary, "late": late}).decode()


def record_accounted(
    event: Event, accounted: dict[str, Any], version: int, actual_participants: int, stamp: datetime
) -> None:
    """A submitted inventory version becomes the event's accounted emissions; its count decides the band."""
    event.accounted = dumps(accounted).decode()
    event.accounted_version = version
    event.actual_participants = actual_participants
    event.status = EventStatus.ACCOUNTED.value
    decide_band(event, stamp)
