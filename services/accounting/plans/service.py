"""Saving and reading an event's implementation plan.

The plan is made while preparing the event and may be replaced until the inventory is submitted;
after that it is the record the certificate's "reductions before offsets" check reads, and is fixed.
A plan saved on or after the event's first day is allowed but late, and shown so wherever it is read
(events/lifecycle.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from services.accounting.clock import aware, china_today, now
from services.accounting.errors import InvalidPlan
from services.accounting.estimates.service import participant_lines
from services.accounting.events import service as events
from services.accounting.events.lifecycle import Standing, Transition, require, summary_late
from services.accounting.events.models import Event
from services.accounting.factors.library import default_library
from services.accounting.inventories.documents import render
from services.accounting.inventory.calculation import calculate_inventory
from services.accounting.inventory.lines import ActivityLine
from services.accounting.inventory.units import total
from services.accounting.inventory.vocabulary import Category
from services.accounting.jsontext import decimal_text, dumps, loads
from services.accounting.plans import repository
from services.accounting.plans.models import Plan
from services.accounting.plans.priority import PlannedOffset, preview
from services.accounting.plans.schemas import PlanIn
from shared.auth.tokens import Principal
from shared.outbox import Outbox
from shared.problems import NotFound


def _check_boundary(body: PlanIn) -> set[Category]:
    counts = Counter(item.source_type for item in body.boundary)
    repeated = sorted(c.value for c, n in counts.items() if n > 1)
    missing = sorted(c.value for c in Category if c not in counts)
    if repeated or missing:
        raise InvalidPlan(
            "The boundary must say of every source type of the guideline, once, whether it is included"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; repeated: {', '.join(repeated)}" if repeated else "")
            + ".",
            missing=missing,
            repeated=repeated,
        )
    return {item.source_type for item in body.boundary if not item.included}


def _estimated_lines(body: PlanIn, excluded: set[Category]) -> list[ActivityLine]:
    library = default_library()
    lines: list[ActivityLine] = list(body.estimated_lines)
    if body.participant_estimate is not None:
        lines += participant_lines(body.participant_estimate, library)
    for index, line in enumerate(lines):
        if line.category in excluded:
            raise InvalidPlan(
                f"Estimated line {index} is {line.category.value}, which the boundary excludes.",
                line=index,
                category=line.category.value,
            )
    return lines


def _document(body: PlanIn, policy: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    excluded = _check_boundary(body)
    library = default_library()
    rendered = render(calculate_inventory(_estimated_lines(body, excluded), library), library)
    offsets = [
        PlannedOffset(o.unit_type, o.offset_kind, o.quantity_g, o.project_province) for o in body.planned_offsets
    ]
    priority = preview(offsets, policy)
    boundary = [
        {"source_type": item.source_type.value, "included": item.included, "reason": item.reason}
        for item in sorted(body.boundary, key=lambda item: list(Category).index(item.source_type))
    ]
    measures = [
        {
            "name": m.name,
            "category": None if m.category is None else m.category.value,
            "description": m.description,
            "expected_kgco2e": decimal_text(m.expected_kgco2e),
        }
        for m in body.reduction_measures
    ]
    document = {
        "boundary": boundary,
        "reduction_measures": measures,
        "reduction_total_kgco2e": decimal_text(total(m.expected_kgco2e for m in body.reduction_measures)),
        "planned_offsets": priority["offsets"],
        "priority_preview": priority,
        "participant_estimate": None
        if body.participant_estimate is None
        else body.participant_estimate.model_dump(mode="json"),
        "estimate": rendered.document(),
    }
    summary = {
        "reduction_measures": [
            {"name": m["name"], "category": m["category"], "expected_kgco2e": m["expected_kgco2e"]} for m in measures
        ],
        "planned_offsets": [
            {key: entry[key] for key in ("unit_type", "offset_kind", "quantity_g", "priority_tier")}
            for entry in priority["offsets"]
        ],
        "boundary": boundary,
        "estimated_kgco2e": rendered.summary["total_kgco2e"],
    }
    return document, summary


def save_plan(session: Session, outbox: Outbox, principal: Principal, event_id: str, body: PlanIn) -> dict[str, Any]:
    """Replace the event's plan (before its inventory is submitted) and announce the change."""
    event = events.owned_event(session, principal, event_id)
    today = china_today()
    require(Transition.SAVE_PLAN, Standing.of(event, today))
    document, summary = _document(body, loads(event.policy))
    stamp = now()
    plan = repository.of_event(session, event_id)
    if plan is None:
        plan = Plan(event_id=event_id, document=dumps(document).decode(), created_at=stamp, saved_at=stamp)
        repository.add(session, plan)
    else:
        plan.document = dumps(document).decode()
        plan.saved_at = stamp
        session.flush()
    events.record_plan(event, {**summary, "saved_at": stamp.isoformat()}, today)
    events.changed(session, outbox, event)
    return view(plan, event)


def view(plan: Plan, event: Event) -> dict[str, Any]:
    """The plan as clients read it, late as the event records it."""
    summary = None if event.plan_summary is None else loads(event.plan_summary)
    return {
        "event_id": plan.event_id,
        "revision": plan.revision,
        "saved_at": aware(plan.saved_at).isoformat(),
        "late": summary_late(summary, event.starts_on),
        **loads(plan.document),
    }


def read_plan(session: Session, event_id: str) -> dict[str, Any]:
    """The event's plan, or 404 when none is saved (or the event does not exist)."""
    event = events.get_event(session, event_id)
    plan = repository.of_event(session, event_id)
    if plan is None:
        raise NotFound(f"Event {event_id} has no implementation plan yet.", event_id=event_id)
    return view(plan, event)
