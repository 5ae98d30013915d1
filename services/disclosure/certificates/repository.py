"""Queries over certificates."""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from services.disclosure.feed.models import DisclosedCertificate


def get_certificate(session: Session, certificate_id: str) -> DisclosedCertificate | None:
    """One certificate by id."""
    return session.get(DisclosedCertificate, certificate_id)


def latest_for_events(session: Session, event_ids: list[str]) -> dict[str, DisclosedCertificate]:
    """Each event's most recently issued certificate."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(DisclosedCertificate)
        .where(DisclosedCertificate.event_id.in_(event_ids))
        .order_by(DisclosedCertificate.issued_at, DisclosedCertificate.id)
    ).scalars()
    return {row.event_id: row for row in rows}


def list_certificates(session: Session, after: str | None, limit: int) -> list[DisclosedCertificate]:
    """Certificates by id, after a position (for the open data export)."""
    query = select(DisclosedCertificate)
    if after is not None:
        query = query.where(DisclosedCertificate.id > after)
    return list(session.execute(query.order_by(DisclosedCertificate.id).limit(limit)).scalars())


def count_neutralized_events(session: Session) -> int:
    """Events holding a certificate that is not revoked."""
    query = select(func.count(distinct(DisclosedCertificate.event_id))).where(DisclosedCertificate.status == "valid")
    return int(session.execute(query).scalar_one())
