"""Revoking a certificate: its status-list bit, its status everywhere, a revocation record and a log line.

Revocation is final (the Bitstring Status List's `revocation` purpose): a set bit stays set.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from services.certification.certificates import repository
from services.certification.certificates.models import Certificate, Revocation
from services.certification.certificates.notifications import TOPIC, notification
from services.certification.identifiers import aware, new_id, utc_now
from services.certification.problems import AlreadyRevoked
from services.certification.runtime import CertificationRuntime
from services.certification.status import service as status_lists
from shared.auth.tokens import Principal
from shared.problems import NotFound

log = logging.getLogger("lingtan.certification.revocations")


def revoke(
    session: Session,
    runtime: CertificationRuntime,
    certificate_id: str,
    reason: str,
    principal: Principal,
    *,
    audit_round_id: str | None = None,
    finding_id: str | None = None,
) -> tuple[Revocation, Certificate]:
    """Revoke a valid certificate (AlreadyRevoked if it was); the change leaves through the outbox."""
    certificate = repository.get(session, certificate_id)
    if certificate is None:
        raise NotFound(f"No certificate {certificate_id}.")
    if certificate.status == "revoked":
        raise AlreadyRevoked(f"Certificate {certificate_id} was already revoked.", certificate_id=certificate_id)
    now = utc_now()
    repository.mark_revoked(session, certificate_id, reason, now)
    status_lists.revoke_bit(session, runtime, certificate.status_list_id, certificate.status_list_index)
    revocation = Revocation(
        id=new_id("rev"),
        certificate_id=certificate_id,
        reason=reason,
        source="audit" if audit_round_id is not None else "request",
        audit_round_id=audit_round_id,
        finding_id=finding_id,
        revoked_by_owner=principal.owner,
        revoked_by_client=principal.client_id,
        revoked_at=now,
    )
    repository.add_revocation(session, revocation)
    revoked = repository.get(session, certificate_id)
    assert revoked is not None
    runtime.context.outbox.publish(session, TOPIC, certificate_id, notification(revoked, runtime))
    return revocation, revoked


def log_revocation(revocation: Revocation, certificate: Certificate) -> None:
    """One structured log line per revocation, written once it is committed."""
    log.info(
        "certificate revoked",
        extra={
            "certificate_id": revocation.certificate_id,
            "event_id": certificate.event_id,
            "revocation_id": revocation.id,
            "reason": revocation.reason,
            "source": revocation.source,
            "audit_round_id": revocation.audit_round_id,
            "revoked_by": revocation.revoked_by_client,
            "revoked_at": aware(revocation.revoked_at).isoformat(),
            "status_list_id": certificate.status_list_id,
            "status_list_index": certificate.status_list_index,
        },
    )
