"""Certificates (public reads), their printable forms, revocation, and the issuer's keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from services.certification.auth import RevokeCertificates
from services.certification.certificates import service
from services.certification.certificates.keys import published_jwks
from services.certification.certificates.models import Certificate, Revocation
from services.certification.certificates.notifications import certificate_out, revocation_out
from services.certification.certificates.revocation import log_revocation, revoke
from services.certification.certificates.schemas import CertificateOut, RevocationIn, RevocationOut
from services.certification.paths import RecordId
from services.certification.runtime import Runtime
from services.certification.writes import run_write
from shared.db.session import DbSession
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(tags=["certificates"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such certificate"}}
# The printable forms show the live status, so caches must ask again; the key set changes rarely.
LIVE = "no-cache"
KEYS_CACHE = "public, max-age=60"


def _file_name(certificate_id: str, suffix: str) -> str:
    return f'inline; filename="{certificate_id}{suffix}"'


# The printable forms are declared first: "/{certificate_id}" would otherwise also match "cert_x.pdf".
@router.get(
    "/v1/certificates/{certificate_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **NOT_FOUND},
    summary="The printable certificate, Chinese and English, with a QR code to its verification page (public)",
)
def certificate_pdf(certificate_id: RecordId, session: DbSession, runtime: Runtime) -> Response:
    """One A4 page; a revoked certificate carries a REVOKED watermark."""
    certificate = service.require(session, certificate_id)
    return Response(
        service.pdf(certificate, runtime),
        media_type="application/pdf",
        headers={"Content-Disposition": _file_name(certificate_id, ".pdf"), "Cache-Control": LIVE},
    )


@router.get(
    "/v1/certificates/{certificate_id}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **NOT_FOUND, 503: {"description": "No CJK font installed"}},
    summary="A PNG preview of the certificate for phones (public)",
)
def certificate_png(certificate_id: RecordId, session: DbSession, runtime: Runtime) -> Response:
    """750 pixels wide, with the QR code to its verification page."""
    certificate = service.require(session, certificate_id)
    return Response(
        service.png(certificate, runtime),
        media_type="image/png",
        headers={"Content-Disposition": _file_name(certificate_id, ".png"), "Cache-Control": LIVE},
    )


@router.get(
    "/v1/certificates/{certificate_id}",
    response_model=CertificateOut,
    responses=NOT_FOUND,
    summary="A certificate, its signed form (JWS) and its live status (public)",
)
def read_certificate(certificate_id: RecordId, session: DbSession, runtime: Runtime) -> CertificateOut:
    """Verify the JWS offline against /.well-known/jwks.json, and the status in its status list."""
    return certificate_out(service.require(session, certificate_id), runtime)


@router.post(
    "/v1/certificates/{certificate_id}/revocation",
    status_code=201,
    response_model=RevocationOut,
    responses={**NOT_FOUND, 409: {"description": "Already revoked"}},
    summary="Revoke a certificate (certification:issue or audit:write)",
)
def revoke_certificate(
    certificate_id: RecordId,
    body: RevocationIn,
    request: Request,
    caller: RevokeCertificates,
    runtime: Runtime,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Sets the certificate's bit in its status list; the certificate shows as revoked everywhere."""
    done: list[tuple[Revocation, Certificate]] = []

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        done.clear()
        revocation, certificate = revoke(session, runtime, certificate_id, body.reason, caller)
        done.append((revocation, certificate))
        return 201, revocation_out(revocation, certificate, runtime).model_dump(mode="json")

    response = run_write(runtime, caller, key, request.url.path, body.model_dump(mode="json"), lambda: work)
    for revocation, certificate in done:
        log_revocation(revocation, certificate)
    return response


@router.get("/.well-known/jwks.json", summary="The certificate issuer's public keys (public)")
def issuer_jwks(session: DbSession, runtime: Runtime) -> JSONResponse:
    """Every key that ever signed a certificate or status list, kid = RFC 7638 thumbprint."""
    runtime.load_keys()
    return JSONResponse(published_jwks(session), headers={"Cache-Control": KEYS_CACHE})
