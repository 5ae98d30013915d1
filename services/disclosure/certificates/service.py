"""Certificates as the public sees them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.disclosure.certificates import repository
from services.disclosure.certificates.schemas import CertificateOffsetOut, CertificateOut
from services.disclosure.feed.models import DisclosedCertificate
from services.disclosure.public.quantities import tonnes_from_grams
from services.disclosure.public.times import as_utc
from shared.db.engine import Database
from shared.problems import NotFound


def to_public(row: DisclosedCertificate) -> CertificateOut:
    """The public form of a stored certificate, with its live status."""
    document = row.document
    return CertificateOut(
        id=row.id,
        event_id=row.event_id,
        jurisdiction=row.jurisdiction,
        status="revoked" if row.status == "revoked" else "valid",
        event_name=document["event_name"],
        organizers=document.get("organizers", []),
        starts_at=document.get("starts_at"),
        ends_at=document.get("ends_at"),
        accounted_kgco2e=document.get("accounted_kgco2e"),
        offsets=[
            CertificateOffsetOut(
                unit_type=o["unit_type"],
                quantity_g=o["quantity_g"],
                tonnes=tonnes_from_grams(o["quantity_g"]),
                priority_tier=o.get("priority_tier"),
            )
            for o in document.get("offsets", [])
        ],
        confirmation_method=document.get("confirmation_method"),
        issuer=document.get("issuer"),
        issued_at=as_utc(row.issued_at),
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
        revocation_reason=document.get("revocation_reason"),
        jws=document["jws"],
        status_list_url=document.get("status_list_url"),
        status_list_index=document.get("status_list_index"),
        verification_url=document.get("verification_url"),
    )


def find_certificate(session: Session, certificate_id: str) -> DisclosedCertificate | None:
    """A stored certificate, or None."""
    return repository.get_certificate(session, certificate_id)


def get_certificate(session: Session, certificate_id: str) -> CertificateOut:
    """A certificate, or NotFound."""
    row = repository.get_certificate(session, certificate_id)
    if row is None:
        raise NotFound(f"No certificate {certificate_id} is disclosed.")
    return to_public(row)


def load_public(database: Database, certificate_id: str) -> CertificateOut | None:
    """A certificate read in a transaction of its own (for async handlers that run it in a thread)."""
    with database.reads() as session, session.begin():
        row = repository.get_certificate(session, certificate_id)
        return to_public(row) if row is not None else None
