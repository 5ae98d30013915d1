"""An event's state as clients read it, and the public part that `event.updated` carries."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.accounting.clock import aware
from services.accounting.events.lifecycle import lifecycle_view, summary_late
from services.accounting.events.models import Event
from services.accounting.events.policy import notified_policy
from services.accounting.events.status import effective_status
from services.accounting.jsontext import loads

# The plan travels without its estimate's lines; only these keys are public (and whether it is late).
PUBLIC_PLAN_KEYS = ("reduction_measures", "planned_offsets", "boundary", "estimated_kgco2e")


def _json(text: str | None) -> Any:
    return None if text is None else loads(text)


def _plan(event: Event, keys: tuple[str, ...] | None) -> dict[str, Any] | None:
    summary = _json(event.plan_summary)
    if summary is None:
        return None
    plan = summary if keys is None else {key: summary.get(key) for key in keys}
    return {**plan, "late": summary_late(summary, event.starts_on)}


def public_state(event: Event, today: date) -> dict[str, Any]:
    """The full public state of the event, as docs/notifications.md shows it (no evidence, no lines)."""
    return {
        "id": event.id,
        "owner": event.owner,
        "name": event.name,
        "organizers": loads(event.organizers),
        "kind": event.kind,
        "jurisdiction": event.jurisdiction,
        "host_type": event.host_type,
        "venue": event.venue,
        "starts_at": event.starts_on.isoformat(),
        "ends_at": event.ends_on.isoformat(),
        "expected_participants": event.expected_participants,
        "actual_participants": event.actual_participants,
        "status": effective_status(event.status, event.ends_on, today).value,
        "accepts_donations": event.accepts_donations,
        "policy": notified_policy(loads(event.policy)),
        "band_changes": _json(event.band_changes) or [],
        "plan": _plan(event, PUBLIC_PLAN_KEYS),
        "accounted": _json(event.accounted),
        "certificate": _certificate(event),
    }


def _certificate(event: Event) -> dict[str, str] | None:
    if event.certificate_id is None or event.certificate_status is None:
        return None
    return {"id": event.certificate_id, "status": event.certificate_status}


def event_view(event: Event, today: date) -> dict[str, Any]:
    """Everything a client with events:read sees: the public state with the full policy and the lifecycle."""
    state = public_state(event, today)
    state.update(
        policy=loads(event.policy),
        plan=_plan(event, None),
        lifecycle=lifecycle_view(event, today),
        revision=event.revision,
        created_at=aware(event.created_at).isoformat(),
        updated_at=aware(event.updated_at).isoformat(),
    )
    return state
