"""An event's state as clients read it, and the public part that `event.updated` carries."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.accounting.clock import aware
from services.accounting.events.models import Event
from services.accounting.events.policy import notified_policy
from services.accounting.events.status import effective_status
from services.accounting.jsontext import loads

# The plan travels without its estimate's lines; only these keys are public.
PUBLIC_PLAN_KEYS = ("reduction_measures", "planned_offsets", "boundary", "estimated_kgco2e")


def _json(text: str | None) -> Any:
    return None if text is None else loads(text)


def public_state(event: Event, today: date) -> dict[str, Any]:
    """The full public state of the event, as docs/notifications.md shows it (no evidence, no lines)."""
    plan = _json(event.plan_summary)
    return {
        "id": event.id,
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
        "policy": notified_policy(loads(event.policy)),
        "plan": None if plan is None else {key: plan.get(key) for key in PUBLIC_PLAN_KEYS},
        "accounted": _json(event.accounted),
        "certificate": _certificate(event),
    }


def _certificate(event: Event) -> dict[str, str] | None:
    if event.certificate_id is None or event.certificate_status is None:
        return None
    return {"id": event.certificate_id, "status": event.certificate_status}


def event_view(event: Event, today: date) -> dict[str, Any]:
    """Everything a client with events:read sees: the public state with the full policy and the owner."""
    state = public_state(event, today)
    state.update(
        owner=event.owner,
        policy=loads(event.policy),
        plan=_json(event.plan_summary),
        revision=event.revision,
        created_at=aware(event.created_at).isoformat(),
        updated_at=aware(event.updated_at).isoformat(),
    )
    return state
