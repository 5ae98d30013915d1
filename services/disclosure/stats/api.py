"""Public statistics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.disclosure.public.caching import read_model_json
from services.disclosure.public.query import StrictQuery
from services.disclosure.stats import service
from services.disclosure.stats.schemas import Stats
from shared.db.session import DbSession

router = APIRouter(prefix="/v1", tags=["statistics"], dependencies=[StrictQuery])


@router.get("/stats", response_model=Stats, summary="Events neutralized and tonnes retired")
def get_stats(request: Request, session: DbSession) -> Response:
    """Totals by unit type, province and month, exact decimals computed from integer grams."""
    return read_model_json(request, session, lambda: service.compute(session))
