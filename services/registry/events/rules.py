"""Who may attach what to an event, and in which of its states.

- Retirements and external cancellations: only the event's owner, or a client the owner delegated
  the ``retire`` role to (a grant on record in the log).
- Donations: anyone, from what they hold, to an event its organizer opened to donations.
- Confirming or rejecting an external claim: a client the owner engaged as evaluator (the
  ``evaluate`` role, with the registry:evaluate scope), or the regulator (registry:supervise).
- Every record names an event the registry knows (404 otherwise, see UnknownEvent) whose state
  accepts offsets: planned, held, accounted, or revoked (to be put right and certified again). A
  certified event takes none: its certificate rests on the records it has.
"""

from __future__ import annotations

from services.registry.auth import EVALUATE as EVALUATE_SCOPE
from services.registry.auth import SUPERVISE
from services.registry.events import repository
from services.registry.events.repository import EVALUATE, RETIRE, KnownEventRecord
from services.registry.problems import EventNotAccepting, EventTakesNoDonations, NotForThisEvent, UnknownEvent
from shared.auth.tokens import Principal
from shared.db.executor import Executor

ACCEPTING_OFFSETS = frozenset({"planned", "held", "accounted", "revoked"})


def accepts_offsets(event: KnownEventRecord) -> bool:
    """Whether the event's state takes new offsets."""
    return event.status in ACCEPTING_OFFSETS


def known_event(session: Executor, event_id: str, principal: Principal, role: str = RETIRE) -> KnownEventRecord:
    """The event with the caller's delegation of ``role``, or 404."""
    return _known(repository.event_for(session, event_id, principal.client_id, role), event_id)


def _known(event: KnownEventRecord | None, event_id: str) -> KnownEventRecord:
    if event is None:
        raise UnknownEvent(event_id)
    return event


def _accepting(event: KnownEventRecord) -> KnownEventRecord:
    if not accepts_offsets(event):
        raise EventNotAccepting(
            f"Event {event.id} is {event.status}: it accepts offsets while planned, held, accounted or revoked. "
            "A certified event's certificate rests on the records it has; nothing more is recorded for it.",
            event_id=event.id,
            event_status=event.status,
        )
    return event


def is_owner(principal: Principal, event: KnownEventRecord) -> bool:
    """Whether the token acts for the event's owner."""
    return principal.owner == event.owner


def may_retire_for(event: KnownEventRecord | None, event_id: str, principal: Principal) -> KnownEventRecord:
    """A retirement or external cancellation: the event's owner or a delegated client, accepting offsets
    (``event`` as read with the caller's ``retire`` delegation, None when the registry does not know it)."""
    known = _known(event, event_id)
    if not (is_owner(principal, known) or known.delegated):
        raise NotForThisEvent(
            f"Only the owner of event {event_id}, or a client its owner delegated to, may record offsets for it.",
            event_id=event_id,
        )
    return _accepting(known)


def may_donate_to(event: KnownEventRecord | None, event_id: str) -> KnownEventRecord:
    """A donation: any holder, to an event that accepts offsets and takes donations."""
    known = _accepting(_known(event, event_id))
    if not known.accepts_donations:
        raise EventTakesNoDonations(
            f"Event {event_id} does not take donations; its organizer opens it to them in accounting "
            "(accepts_donations).",
            event_id=event_id,
        )
    return known


def event_to_retire_for(session: Executor, event_id: str, principal: Principal) -> KnownEventRecord:
    """``may_retire_for``, reading the event."""
    return may_retire_for(repository.event_for(session, event_id, principal.client_id), event_id, principal)


def ensure_may_decide(session: Executor, event_id: str, principal: Principal) -> KnownEventRecord:
    """Confirming or rejecting a claim: the regulator, or the event's engaged evaluator with its scope."""
    event = known_event(session, event_id, principal, EVALUATE)
    if principal.has(SUPERVISE):
        return event
    if principal.has(EVALUATE_SCOPE) and event.delegated:
        return event
    raise NotForThisEvent(
        f"Only the regulator, or a third-party evaluator the owner of event {event_id} engaged, decides its claims.",
        event_id=event_id,
    )
