"""Policy documents: public reads, and publication by the regulator (scope policy:write)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, Security

from services.disclosure.audit.service import origin_of
from services.disclosure.policies import service
from services.disclosure.policies.schemas import PolicyIn, PolicyKind, PolicyOut
from services.disclosure.public.caching import cached_json
from services.disclosure.public.paging import cursor_codec
from services.disclosure.public.prefix import forwarded_prefix
from services.disclosure.public.query import StrictQuery
from shared.auth.dependencies import current_principal
from shared.auth.tokens import Principal
from shared.db.session import DbSession
from shared.pagination import DEFAULT_PAGE_SIZE, CursorParam, Page, PageSize

router = APIRouter(prefix="/v1", tags=["policies"], dependencies=[StrictQuery])

PublishPolicy = Annotated[Principal, Security(current_principal, scopes=["policy:write"])]
Slug = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]


@router.get("/policies", response_model=Page[PolicyOut], summary="Policy documents and notices (latest versions)")
def list_policies(
    request: Request,
    session: DbSession,
    jurisdiction: Annotated[str | None, Query(max_length=20)] = None,
    kind: PolicyKind | None = None,
    cursor: CursorParam = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> Response:
    """The latest version of each document, most recently published first."""
    codec = cursor_codec(request, "policies")
    return cached_json(request, service.page_latest(session, jurisdiction, kind, cursor, limit, codec))


@router.get("/policies/{slug}", response_model=PolicyOut, summary="The latest version of a document")
def get_policy(request: Request, session: DbSession, slug: Slug) -> Response:
    """One document as currently in force."""
    return cached_json(request, service.get_latest(session, slug))


@router.get("/policies/{slug}/versions", response_model=Page[PolicyOut], summary="Every version of a document")
def list_versions(
    request: Request, session: DbSession, slug: Slug, cursor: CursorParam = None, limit: PageSize = DEFAULT_PAGE_SIZE
) -> Response:
    """All versions, newest first; old versions stay readable."""
    codec = cursor_codec(request, f"policy-versions:{slug}")
    return cached_json(request, service.page_versions(session, slug, cursor, limit, codec))


@router.post("/policies", status_code=201, response_model=PolicyOut, summary="Publish a policy document or notice")
def publish_policy(
    request: Request, response: Response, session: DbSession, body: PolicyIn, caller: PublishPolicy
) -> PolicyOut:
    """Publish a document; an existing slug gets a new version and keeps the old ones. Audited."""
    published = service.publish(session, body, caller, origin_of(request))
    response.headers["Location"] = f"{forwarded_prefix(request)}/v1/policies/{published.slug}"
    return published
