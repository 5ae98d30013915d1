"""The registry's own problem types: each a subclass of the shared hierarchy with a stable slug."""

from __future__ import annotations

from shared.problems import Conflict, Forbidden, NotFound, ServiceUnavailable


class InsufficientCredits(Conflict):
    """The account holds fewer eligible grams than asked for."""

    slug, title = "insufficient-credits", "Not enough credits held"


class DoubleClaim(Conflict):
    """An external cancellation overlaps one already recorded."""

    slug, title = "double-claim", "These serials were already claimed"


class ProjectBound(Conflict):
    """Shandong's rule: a new forestry or ocean sink project serves one event only."""

    slug, title = "project-bound-to-event", "The project is bound to another event"


class RegistryBusy(ServiceUnavailable):
    """Concurrent writers kept winning the same rows; the client should retry."""

    slug, title = "registry-busy", "The registry is busy"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers["Retry-After"] = "1"


class UnknownEvent(NotFound):
    """The registry has no event of this id in its read model (yet, or at all)."""

    slug, title = "unknown-event", "The registry does not know this event"

    def __init__(self, event_id: str) -> None:
        super().__init__(
            f"The registry knows no event {event_id}. Events reach the registry from accounting through the "
            "outbox, normally within a second of being created or changed; if this event was created a moment "
            "ago, retry after a second. An id that accounting does not know will never be accepted.",
            event_id=event_id,
        )
        self.headers["Retry-After"] = "1"


class EventNotAccepting(Conflict):
    """The event's state takes no more offsets (a certified event's certificate rests on what it has)."""

    slug, title = "event-not-accepting-offsets", "The event does not accept offsets in its state"


class EventTakesNoDonations(Conflict):
    """The event's organizer has not opened it to donations."""

    slug, title = "event-takes-no-donations", "The event does not take donations"


class NotForThisEvent(Forbidden):
    """The caller is neither the event's owner nor a client the owner delegated to."""

    slug, title = "not-authorized-for-event", "Not allowed to act for this event"


class DelegationConflict(Conflict):
    """The grant exists already, or the delegation was revoked before."""

    slug, title = "delegation-conflict", "The delegation is already in that state"


class ClaimDecided(Conflict):
    """The external claim's decision was taken already (or the claim was voided)."""

    slug, title = "claim-already-decided", "The claim was decided already"
