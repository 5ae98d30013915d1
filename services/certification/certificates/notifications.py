"""A certificate's public state: the `certificate.updated` notification and the API's answer."""

from __future__ import annotations

from typing import Any

from services.certification.certificates.models import Certificate, Revocation
from services.certification.certificates.schemas import CertificateOut, RevocationOut
from services.certification.identifiers import aware
from services.certification.runtime import CertificationRuntime

TOPIC = "certificate.updated"


def _moment(value: Any) -> str | None:
    return None if value is None else aware(value).isoformat()


def notification(certificate: Certificate, runtime: CertificationRuntime) -> dict[str, Any]:
    """The full public state of the certificate, as docs/notifications.md lays it out."""
    record = certificate.record
    return {
        "id": certificate.id,
        "event_id": certificate.event_id,
        "jurisdiction": certificate.jurisdiction,
        "status": certificate.status,
        "event_name": record["event_name"],
        "organizers": record["organizers"],
        "starts_at": record["starts_at"],
        "ends_at": record["ends_at"],
        "accounted_kgco2e": record["accounted_kgco2e"],
        "offsets": record["offsets"],
        "confirmation_method": record["confirmation_method"],
        "issuer": record["issuer"],
        "issued_at": _moment(certificate.issued_at),
        "revoked_at": _moment(certificate.revoked_at),
        "revocation_reason": certificate.revocation_reason,
        "jws": certificate.jws,
        "status_list_url": runtime.status_list_url(certificate.status_list_id),
        "status_list_index": certificate.status_list_index,
        "verification_url": runtime.verification_url(certificate.id),
    }


def certificate_out(certificate: Certificate, runtime: CertificationRuntime) -> CertificateOut:
    """The certificate as GET /v1/certificates/{id} returns it."""
    record = certificate.record
    return CertificateOut.model_validate(
        {
            **notification(certificate, runtime),
            "credential_id": certificate.credential_id,
            "application_id": certificate.application_id,
            "registry_retirements": record["registry_retirements"],
            "external_cancellations": record["external_cancellations"],
            "credential": certificate.credential,
            "pdf_url": runtime.certificate_url(certificate.id, ".pdf"),
            "png_url": runtime.certificate_url(certificate.id, ".png"),
        }
    )


def revocation_out(revocation: Revocation, certificate: Certificate, runtime: CertificationRuntime) -> RevocationOut:
    """A revocation as the API returns it."""
    return RevocationOut(
        id=revocation.id,
        certificate_id=revocation.certificate_id,
        reason=revocation.reason,
        source="audit" if revocation.source == "audit" else "request",
        audit_round_id=revocation.audit_round_id,
        revoked_at=aware(revocation.revoked_at),
        revoked_by=revocation.revoked_by_client,
        status_list_url=runtime.status_list_url(certificate.status_list_id),
        status_list_index=certificate.status_list_index,
    )
