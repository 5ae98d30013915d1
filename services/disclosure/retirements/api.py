"""Public endpoint for retirements, donations and external cancellations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.disclosure.public.caching import read_model_json
from services.disclosure.public.paging import cursor_codec
from services.disclosure.public.query import StrictQuery
from services.disclosure.retirements import service
from services.disclosure.retirements.repository import RetirementFilters
from services.disclosure.retirements.schemas import RecordKind, RetirementRecord
from shared.db.session import DbSession
from shared.pagination import DEFAULT_PAGE_SIZE, CursorParam, Page, PageSize

router = APIRouter(prefix="/v1", tags=["retirements"], dependencies=[StrictQuery])


@router.get(
    "/retirements",
    response_model=Page[RetirementRecord],
    summary="Retirements, donations and external cancellations, newest first",
)
def list_retirements(
    request: Request,
    session: DbSession,
    event_id: Annotated[str | None, Query(max_length=100)] = None,
    unit_type: Annotated[str | None, Query(max_length=20, description="e.g. HNCI, CCER")] = None,
    registry: Annotated[str | None, Query(max_length=20, description="LINGTAN, CCER, CEA, CER or VCU")] = None,
    kind: RecordKind | None = None,
    cursor: CursorParam = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> Response:
    """Every record with its quantity, serial ranges or serials, and its log index."""
    filters = RetirementFilters(event_id, unit_type, registry, kind)
    codec = cursor_codec(request, "retirements")
    return read_model_json(request, session, lambda: service.page(session, filters, cursor, limit, codec))
