"""Queries and writes over policy documents."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.disclosure.policies.models import PolicyDocument


def list_latest(
    session: Session, jurisdiction: str | None, kind: str | None, after: int | None, limit: int
) -> list[PolicyDocument]:
    """The latest version of each document, most recently published first."""
    query = select(PolicyDocument).where(PolicyDocument.is_latest.is_(True))
    if jurisdiction:
        query = query.where(PolicyDocument.jurisdiction == jurisdiction)
    if kind:
        query = query.where(PolicyDocument.kind == kind)
    if after is not None:
        query = query.where(PolicyDocument.id < after)
    return list(session.execute(query.order_by(PolicyDocument.id.desc()).limit(limit)).scalars())


def list_versions(session: Session, slug: str, after: int | None, limit: int) -> list[PolicyDocument]:
    """Every version of one document, newest first."""
    query = select(PolicyDocument).where(PolicyDocument.slug == slug)
    if after is not None:
        query = query.where(PolicyDocument.id < after)
    return list(session.execute(query.order_by(PolicyDocument.id.desc()).limit(limit)).scalars())


def latest(session: Session, slug: str) -> PolicyDocument | None:
    """The latest version of one document."""
    query = select(PolicyDocument).where(PolicyDocument.slug == slug, PolicyDocument.is_latest.is_(True))
    return session.execute(query).scalar_one_or_none()


def next_version(session: Session, slug: str) -> int:
    """The version number a new publication of `slug` takes."""
    current = session.execute(select(func.max(PolicyDocument.version)).where(PolicyDocument.slug == slug)).scalar()
    return int(current or 0) + 1


def add_version(session: Session, document: PolicyDocument) -> None:
    """Store a new version and make it the latest (a concurrent one collides on slug+version)."""
    session.execute(
        update(PolicyDocument)
        .where(PolicyDocument.slug == document.slug, PolicyDocument.is_latest.is_(True))
        .values(is_latest=False)
    )
    session.add(document)
    session.flush()
