"""Public endpoints for certificates: the record with its live status, and its verification."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Path, Request, Response

from services.disclosure.certificates import service
from services.disclosure.certificates.schemas import CertificateOut, Verification
from services.disclosure.certificates.verification import verify_certificate
from services.disclosure.public.caching import cached_json
from services.disclosure.public.query import StrictQuery
from shared.app import service_context
from shared.db.session import DbSession

router = APIRouter(prefix="/v1", tags=["certificates"], dependencies=[StrictQuery])

CertificateId = Annotated[str, Path(max_length=100)]


@router.get("/certificates/{certificate_id}", response_model=CertificateOut, summary="A certificate and its status")
def get_certificate(request: Request, session: DbSession, certificate_id: CertificateId) -> Response:
    """The certificate as issued, its signed form, and whether it is valid or revoked now."""
    return cached_json(request, service.get_certificate(session, certificate_id))


@router.get(
    "/certificates/{certificate_id}/verification",
    response_model=Verification,
    summary="Check a certificate's signature against the issuer's published keys, and its status",
)
async def verify(request: Request, certificate_id: CertificateId) -> Response:
    """valid, revoked, signature_invalid, not_found, or unverifiable when the issuer's keys are unreachable."""
    database = service_context(request).database
    certificate = await anyio.to_thread.run_sync(service.load_public, database, certificate_id)
    outcome = await verify_certificate(certificate_id, certificate, request.app.state.issuer_keys)
    return cached_json(request, outcome)
