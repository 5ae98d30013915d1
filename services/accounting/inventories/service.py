"""Writing, submitting, amending and reading an event's inventory versions.

Rules: PUT writes the open draft (version 1 at first). Submitting locks the latest draft as the event's
accounted emissions; it never changes again (PUT → 409). An amendment opens version N+1 as a new draft
with the same body as PUT, leaving version N as it was and still accounted until the amendment is
submitted explicitly. Amending is refused while the event holds a valid certificate, which rests on
the accounted version: the certificate is revoked first.

When the event allows each step (an actual inventory once it has begun, submission once it has
ended) is its lifecycle's rule (events/lifecycle.py). Every version written claims the green-electricity
certificates its lines name for the event, platform-wide (greenpower/service.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.accounting.clock import china_today, now
from services.accounting.events import service as events
from services.accounting.events.lifecycle import Standing, Transition, require
from services.accounting.events.models import Event
from services.accounting.factors.library import default_library
from services.accounting.greenpower import service as greenpower
from services.accounting.inventories import repository
from services.accounting.inventories.documents import Rendered
from services.accounting.inventories.models import InventoryVersion
from services.accounting.inventories.schemas import InventoryIn
from services.accounting.inventories.writing import calculate_and_render
from services.accounting.jsontext import dumps, loads
from services.accounting.problems import InventorySubmitted, NothingToAmend, NothingToSubmit
from shared.auth.tokens import Principal
from shared.outbox import Outbox
from shared.problems import Forbidden, NotFound

DRAFT, SUBMITTED = "draft", "submitted"


@dataclass(frozen=True)
class Written:
    """A version just written, with its rendered content (so it is not read back)."""

    event: Event
    row: InventoryVersion
    rendered: Rendered
    lines_json: bytes


def _calculate(session: Session, event: Event, body: InventoryIn) -> tuple[Rendered, dict[str, Any]]:
    library = default_library()
    rendered = calculate_and_render(body.lines, library)
    # Only lines that calculate claim certificates; a claim another event holds refuses the whole write.
    greenpower.hold(session, event.id, body.lines, now())
    values: dict[str, Any] = {
        "actual_participants": body.actual_participants,
        "factor_dataset_version": library.version,
        "line_count": len(body.lines),
        "total_kgco2e": rendered.summary["total_kgco2e"],
        "summary": dumps(rendered.summary).decode(),
        "lines": rendered.lines_text,
    }
    return rendered, values


def _written(event: Event, row: InventoryVersion, rendered: Rendered) -> Written:
    # Encoded only once the lines are stored: the database driver encodes the text to UTF-8 and the
    # interpreter keeps that form with the string, so encoding it afterwards copies it rather than
    # encoding megabytes a second time (for 10,000 lines about 1 ms instead of 10).
    return Written(event, row, rendered, rendered.lines_json())


def _new_version(session: Session, event: Event, number: int, amends: int | None, body: InventoryIn) -> Written:
    rendered, values = _calculate(session, event, body)
    stamp = now()
    row = InventoryVersion(
        event_id=event.id,
        version=number,
        status=DRAFT,
        amends=amends,
        created_at=stamp,
        updated_at=stamp,
        submitted_at=None,
        **values,
    )
    repository.add(session, row)
    return _written(event, row, rendered)


def put_inventory(session: Session, outbox: Outbox, principal: Principal, event_id: str, body: InventoryIn) -> Written:
    """Write the open draft (creating version 1 if there is none); a submitted version is never edited."""
    event = events.owned_event(session, principal, event_id)
    require(Transition.RECORD_INVENTORY, Standing.of(event, china_today()))
    latest = repository.latest(session, event_id)
    if latest is None:
        written = _new_version(session, event, 1, None, body)
    elif latest.status == SUBMITTED:
        raise InventorySubmitted(
            f"Version {latest.version} of the inventory is submitted and locked; "
            f"POST /v1/events/{event_id}/inventory/amendments makes a new version.",
            version=latest.version,
        )
    else:
        rendered, values = _calculate(session, event, body)
        repository.overwrite_draft(session, latest, {**values, "updated_at": now()})
        written = _written(event, latest, rendered)
    if event.accounted_version is None:
        # Before the first submission the draft's headcount is the best known; afterwards the public
        # figure stays the accounted version's until an amendment is submitted.
        events.record_participants(event, body.actual_participants, now())
        events.changed(session, outbox, event)
    return written


def amend_inventory(
    session: Session, outbox: Outbox, principal: Principal, event_id: str, body: InventoryIn
) -> Written:
    """Open version N+1 as a draft; version N stays as it was and stays accounted until N+1 is submitted."""
    event = events.owned_event(session, principal, event_id)
    require(Transition.AMEND_INVENTORY, Standing.of(event, china_today()))
    latest = repository.latest(session, event_id)
    if latest is None:
        raise NothingToAmend(f"Event {event_id} has no inventory yet; PUT /v1/events/{event_id}/inventory first.")
    if latest.status != SUBMITTED:
        raise NothingToAmend(
            f"Version {latest.version} is an open draft; edit it with PUT or submit it before amending.",
            version=latest.version,
        )
    written = _new_version(session, event, latest.version + 1, latest.version, body)
    events.changed(session, outbox, event)
    return written


def accounted_summary(row: InventoryVersion, summary: dict[str, Any], submitted_at: datetime) -> dict[str, Any]:
    """What the event shows of its accounted inventory version."""
    totals = summary["totals"]
    return {
        "total_kgco2e": summary["total_kgco2e"],
        "basis": summary["accounted_basis"],
        "by_source_type": totals["by_source_type"],
        "by_scope": totals["by_scope"],
        "by_phase": totals["by_phase"],
        "market_based_electricity_kgco2e": summary["electricity"]["market_based_kgco2e"],
        "location_based_electricity_kgco2e": summary["electricity"]["location_based_kgco2e"],
        "inventory_version": row.version,
        "factor_dataset_version": row.factor_dataset_version,
        "submitted_at": submitted_at.isoformat(),
    }


def submit_inventory(
    session: Session, outbox: Outbox, principal: Principal, event_id: str
) -> tuple[Event, InventoryVersion]:
    """Lock the latest draft as the event's accounted emissions (status accounted)."""
    event = events.owned_event(session, principal, event_id)
    require(Transition.SUBMIT_INVENTORY, Standing.of(event, china_today()))
    latest = repository.latest(session, event_id)
    if latest is None:
        raise NotFound(f"Event {event_id} has no inventory to submit.", event_id=event_id)
    if latest.status == SUBMITTED:
        raise NothingToSubmit(f"Version {latest.version} is already submitted.", version=latest.version)
    stamp = now()
    repository.mark_submitted(session, latest, {"status": SUBMITTED, "submitted_at": stamp, "updated_at": stamp})
    greenpower.keep_submitted(session, event_id)
    events.record_accounted(
        event,
        accounted_summary(latest, loads(latest.summary), stamp),
        latest.version,
        latest.actual_participants,
        stamp,
    )
    events.changed(session, outbox, event)
    return event, latest


def visible_version(
    session: Session, principal: Principal, event_id: str, number: int | None
) -> tuple[Event, InventoryVersion]:
    """The version asked for (latest when None); drafts are seen by the event's owner only."""
    event = events.get_event(session, event_id)
    owner = principal.owner == event.owner
    if number is None:
        row = repository.latest(session, event_id, submitted_only=not owner)
    else:
        row = repository.version(session, event_id, number)
    if row is None:
        raise NotFound(f"Event {event_id} has no {'such ' if number else ''}inventory version.", event_id=event_id)
    if row.status != SUBMITTED and not owner:
        raise Forbidden(f"Version {row.version} is a draft, visible to the event's owner only.")
    return event, row


def stored_lines(session: Session, row: InventoryVersion) -> bytes:
    """A version's stored lines, as JSON text."""
    return repository.lines(session, row.id).encode()


def versions(
    session: Session, principal: Principal, event_id: str, before: int | None, limit: int
) -> tuple[Event, list[InventoryVersion]]:
    """The versions the caller may see, newest first."""
    event = events.get_event(session, event_id)
    rows = repository.page(session, event_id, before, limit, submitted_only=principal.owner != event.owner)
    return event, rows
