"""The public estimate endpoint for mobile and web calculators: no token, bounded input, nothing stored."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from services.accounting.estimates import service
from services.accounting.estimates.schemas import EstimateIn, EstimateOut
from services.accounting.jsontext import dumps

router = APIRouter(prefix="/v1/estimate", tags=["estimates"])


@router.post(
    "",
    response_model=EstimateOut,
    responses={422: {"description": "Invalid lines or estimate inputs"}},
    summary="Estimate emissions from activity lines and/or a headcount and origin mix (public)",
)
def estimate(body: EstimateIn) -> Response:
    """Totals by source type, scope and phase with a trace per line; up to 1,000 lines."""
    return Response(dumps(service.estimate(body)), media_type="application/json")
