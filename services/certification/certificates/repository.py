"""SQL of certificates, revocations and issuer keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.certification.certificates.models import Certificate, IssuerKey, Revocation
from shared.db.transactions import expect_rows


def get(session: Session, certificate_id: str) -> Certificate | None:
    """A certificate by id."""
    return session.get(Certificate, certificate_id)


def valid_for_event(session: Session, event_id: str) -> Certificate | None:
    """The event's valid certificate, if it has one."""
    return session.execute(
        select(Certificate).where(Certificate.event_id == event_id, Certificate.status == "valid")
    ).scalar_one_or_none()


def add(session: Session, certificate: Certificate) -> None:
    """Insert a certificate."""
    session.add(certificate)
    session.flush()


def mark_revoked(session: Session, certificate_id: str, reason: str, at: datetime) -> None:
    """valid -> revoked, only if still valid (ConcurrentUpdate otherwise)."""
    result = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.status == "valid")
        .values(status="revoked", revoked_at=at, revocation_reason=reason)
        .execution_options(synchronize_session=False)
    )
    expect_rows(result)
    session.expire_all()


def add_revocation(session: Session, revocation: Revocation) -> None:
    """Insert a revocation record."""
    session.add(revocation)
    session.flush()


def revocation_of(session: Session, certificate_id: str) -> Revocation | None:
    """The revocation record of a certificate."""
    return session.execute(select(Revocation).where(Revocation.certificate_id == certificate_id)).scalar_one_or_none()


def valid_ids_in(session: Session, jurisdiction: str) -> list[str]:
    """Ids of a jurisdiction's valid certificates."""
    return list(
        session.execute(
            select(Certificate.id).where(Certificate.jurisdiction == jurisdiction, Certificate.status == "valid")
        ).scalars()
    )


def taken_indices(session: Session, status_list_id: int) -> set[int]:
    """The status-list indices already given to certificates of one list."""
    return set(
        session.execute(
            select(Certificate.status_list_index).where(Certificate.status_list_id == status_list_id)
        ).scalars()
    )


def count_in_list(session: Session, status_list_id: int) -> int:
    """How many certificates hold an index in one list."""
    return int(
        session.execute(
            select(func.count()).select_from(Certificate).where(Certificate.status_list_id == status_list_id)
        ).scalar_one()
    )


def issuer_keys(session: Session) -> Sequence[IssuerKey]:
    """Every issuer key ever used, oldest first."""
    return session.execute(select(IssuerKey).order_by(IssuerKey.created_at, IssuerKey.kid)).scalars().all()


def issuer_key(session: Session, kid: str) -> IssuerKey | None:
    """One issuer key by kid."""
    return session.get(IssuerKey, kid)


def add_issuer_key(session: Session, key: IssuerKey) -> None:
    """Insert an issuer key."""
    session.add(key)
    session.flush()
