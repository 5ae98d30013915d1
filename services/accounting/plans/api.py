"""Implementation plans over HTTP: replace (events:write, owner) and read (events:read)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from services.accounting.auth import ReadEvents, WriteEvents
from services.accounting.jsontext import dumps
from services.accounting.paths import RecordId
from services.accounting.plans import service
from services.accounting.plans.schemas import PlanIn, PlanOut
from services.accounting.runtime import Context
from shared.db.session import DbSession

router = APIRouter(prefix="/v1/events/{event_id}/plan", tags=["plans"])


@router.put(
    "",
    response_model=PlanOut,
    responses={
        403: {"description": "Another owner's event"},
        404: {"description": "No such event"},
        409: {"description": "The inventory is submitted: the plan is fixed (rule plan-until-accounted)"},
        422: {"description": "A boundary with gaps, lines outside it, or lines that cannot be calculated"},
    },
    summary="Save the implementation plan: boundary, estimate, reduction measures, planned offsets (events:write)",
    description="Allowed until the inventory is submitted. A plan saved on or after the event's first day is "
    "marked `late` (made after the event started) and stays late.",
)
def save_plan(event_id: RecordId, body: PlanIn, session: DbSession, caller: WriteEvents, context: Context) -> Response:
    """Replace the plan; returns it with the estimate and how the planned offsets rank."""
    plan = service.save_plan(session, context.outbox, caller, event_id, body)
    return Response(dumps(plan), media_type="application/json")


@router.get("", response_model=PlanOut, summary="The implementation plan (events:read)")
def read_plan(event_id: RecordId, session: DbSession, _caller: ReadEvents) -> Response:
    """The plan as last saved."""
    return Response(dumps(service.read_plan(session, event_id)), media_type="application/json")
