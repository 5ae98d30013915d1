"""Publishing and reading policy documents."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.disclosure.audit import service as audit
from services.disclosure.audit.service import Origin
from services.disclosure.policies import repository
from services.disclosure.policies.models import PolicyDocument
from services.disclosure.policies.schemas import PolicyIn, PolicyOut
from services.disclosure.public.paging import decode_position, split_page
from services.disclosure.public.times import as_utc
from shared.auth.tokens import Principal
from shared.pagination import CursorCodec, Page
from shared.problems import BadRequest, Conflict, NotFound


def to_public(row: PolicyDocument) -> PolicyOut:
    """The public form of a stored version."""
    return PolicyOut.model_validate(
        {
            "slug": row.slug,
            "version": row.version,
            "latest": row.is_latest,
            "title_zh": row.title_zh,
            "title_en": row.title_en,
            "kind": row.kind,
            "jurisdiction": row.jurisdiction,
            "body": row.body,
            "effective_date": row.effective_date,
            "published_at": as_utc(row.published_at),
        }
    )


def publish(session: Session, new: PolicyIn, caller: Principal, origin: Origin) -> PolicyOut:
    """Publish a document as the next version of its slug, and put it on the audit trail."""
    document = PolicyDocument(
        slug=new.slug,
        version=repository.next_version(session, new.slug),
        is_latest=True,
        title_zh=new.title_zh,
        title_en=new.title_en,
        kind=new.kind,
        jurisdiction=new.jurisdiction,
        body=new.body,
        effective_date=new.effective_date,
        published_at=datetime.now(UTC),
    )
    try:
        repository.add_version(session, document)
    except IntegrityError as exc:
        raise Conflict(f"Another version of {new.slug} was published at the same moment; publish again.") from exc
    audit.record(
        session,
        caller=caller,
        action="policy.published",
        target=f"{document.slug}@{document.version}",
        origin=origin,
        kind=document.kind,
        jurisdiction=document.jurisdiction,
        title_zh=document.title_zh,
        effective_date=document.effective_date.isoformat(),
        body_chars=len(document.body),
    )
    return to_public(document)


def get_latest(session: Session, slug: str) -> PolicyOut:
    """The latest version of a document, or NotFound."""
    row = repository.latest(session, slug)
    if row is None:
        raise NotFound(f"No policy document {slug} is published.")
    return to_public(row)


def _position(codec: CursorCodec, cursor: str | None) -> int | None:
    position = decode_position(codec, cursor, "id")
    if position is None:
        return None
    if not position["id"].isdigit():
        raise BadRequest("The cursor is not valid; start again from the first page.")
    return int(position["id"])


def page_latest(
    session: Session, jurisdiction: str | None, kind: str | None, cursor: str | None, limit: int, codec: CursorCodec
) -> Page[PolicyOut]:
    """One page of the latest version of every document."""
    rows = repository.list_latest(session, jurisdiction, kind, _position(codec, cursor), limit + 1)
    found, next_cursor = split_page(rows, limit, lambda r: {"id": str(r.id)}, codec)
    return Page[PolicyOut](items=[to_public(r) for r in found], next_cursor=next_cursor)


def page_versions(session: Session, slug: str, cursor: str | None, limit: int, codec: CursorCodec) -> Page[PolicyOut]:
    """One page of a document's versions, newest first; NotFound for an unknown slug."""
    rows = repository.list_versions(session, slug, _position(codec, cursor), limit + 1)
    if not rows and cursor is None:
        raise NotFound(f"No policy document {slug} is published.")
    found, next_cursor = split_page(rows, limit, lambda r: {"id": str(r.id)}, codec)
    return Page[PolicyOut](items=[to_public(r) for r in found], next_cursor=next_cursor)
