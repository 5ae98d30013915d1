"""Issuing certificates, reading them, and rendering their printable forms."""

from __future__ import annotations

import uuid
from typing import cast

from sqlalchemy.orm import Session

from services.certification.applications.checks import Evidence
from services.certification.certificates import repository
from services.certification.certificates.contents import certificate_contents, issuer_name
from services.certification.certificates.credential import (
    ConfirmationMethod,
    Issuer,
    StatusEntry,
    build_credential,
    issue,
)
from services.certification.certificates.display import CertificateStatus
from services.certification.certificates.models import Certificate
from services.certification.certificates.notifications import TOPIC, notification
from services.certification.certificates.preview import CJKFontNotFound, render_png
from services.certification.certificates.printable import render_pdf
from services.certification.identifiers import utc_now
from services.certification.problems import AlreadyCertified, PreviewUnavailable
from services.certification.runtime import CertificationRuntime
from services.certification.status import service as status_lists
from shared.problems import NotFound


def issue_certificate(
    session: Session,
    runtime: CertificationRuntime,
    *,
    application_id: str,
    owner: str,
    method: str,
    evidence: Evidence,
) -> Certificate:
    """Sign and store the event's certificate, give it a status-list index, and tell the other services."""
    event = evidence.event
    existing = repository.valid_for_event(session, event.id)
    if existing is not None:
        raise AlreadyCertified(f"Event {event.id} already holds the valid certificate {existing.id}.",
                               certificate_id=existing.id)
    list_id, index = status_lists.allocate(session, runtime)
    serial = uuid.uuid4()
    certificate_id = f"cert_{serial.hex}"
    now = utc_now()
    issuer = Issuer(runtime.issuer_id, issuer_name(evidence.profile, runtime.settings.certification_issuer_name))
    contents = certificate_contents(evidence, method, issuer)
    credential = build_credential(
        certificate_id=serial.urn,
        issuer=issuer,
        valid_from=now,
        event=contents.event,
        retirements=contents.retirements,
        cancellations=contents.cancellations,
        confirmation_method=cast(ConfirmationMethod, method),
        profile_id=contents.record["policy_profile"],
        status=StatusEntry(runtime.status_list_url(list_id), index),
    )
    certificate = Certificate(
        id=certificate_id,
        credential_id=serial.urn,
        application_id=application_id,
        event_id=event.id,
        jurisdiction=event.jurisdiction,
        owner=owner,
        status="valid",
        credential=credential,
        jws=issue(credential, runtime.keys.signing),
        record=contents.record,
        status_list_id=list_id,
        status_list_index=index,
        issued_at=now,
        revoked_at=None,
        revocation_reason=None,
    )
    repository.add(session, certificate)
    runtime.context.outbox.publish(session, TOPIC, certificate.id, notification(certificate, runtime))
    return certificate


def require(session: Session, certificate_id: str) -> Certificate:
    """A certificate, or 404."""
    certificate = repository.get(session, certificate_id)
    if certificate is None:
        raise NotFound(f"No certificate {certificate_id}.")
    return certificate


def pdf(certificate: Certificate, runtime: CertificationRuntime) -> bytes:
    """The printable certificate with its live status and the QR code to its verification page."""
    status = cast(CertificateStatus, certificate.status)
    return render_pdf(certificate.credential, status=status, verification_url=runtime.verification_url(certificate.id))


def png(certificate: Certificate, runtime: CertificationRuntime) -> bytes:
    """The phone preview of the certificate."""
    status = cast(CertificateStatus, certificate.status)
    try:
        return render_png(
            certificate.credential, status=status, verification_url=runtime.verification_url(certificate.id)
        )
    except CJKFontNotFound as exc:
        raise PreviewUnavailable(f"The preview cannot be drawn on this server: {exc}.") from exc
