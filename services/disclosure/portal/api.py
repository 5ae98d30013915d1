"""The portal's pages: server-rendered HTML that works without JavaScript, through the gateway or not."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Annotated

import anyio
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.disclosure.certificates import service as certificates
from services.disclosure.certificates.verification import verify_certificate
from services.disclosure.events import repository as event_queries
from services.disclosure.events import service as events
from services.disclosure.events.repository import EventFilters
from services.disclosure.policies import service as policies
from services.disclosure.portal.chart import emissions_chart
from services.disclosure.portal.i18n import Catalogue, language
from services.disclosure.portal.links import Links
from services.disclosure.portal.rendering import page
from services.disclosure.public.caching import cached
from services.disclosure.public.paging import cursor_codec
from services.disclosure.public.prefix import forwarded_prefix
from services.disclosure.public.query import StrictQuery
from services.disclosure.retirements import service as retirements
from services.disclosure.retirements.repository import RetirementFilters
from services.disclosure.stats.service import compute as compute_stats
from shared.app import service_context
from shared.db.session import DbSession
from shared.pagination import CursorParam
from shared.problems import NotFound

router = APIRouter(tags=["portal"], dependencies=[StrictQuery], default_response_class=HTMLResponse)

PAGE_SIZE = 20
RECORDS_ON_EVENT_PAGE = 100
Lang = Annotated[str | None, Query(max_length=5, description="en for English; Chinese otherwise")]
Text = Annotated[str | None, Query(max_length=100)]
_STYLESHEET = resources.files("services.disclosure.portal").joinpath("static/portal.css").read_bytes()


def _date(value: str | None) -> tuple[date | None, bool]:
    if not value:
        return None, False
    try:
        return date.fromisoformat(value), False
    except ValueError:
        return None, True


@router.get("/", summary="Portal: home with the statistics")
def home(request: Request, session: DbSession, lang: Lang = None) -> Response:
    """The statistics and the open data downloads."""
    return page(request, "home.html", language(lang), "/", stats=compute_stats(session))


@router.get("/events", summary="Portal: search events")
def event_list(
    request: Request,
    session: DbSession,
    lang: Lang = None,
    q: Text = None,
    jurisdiction: Text = None,
    kind: Text = None,
    status: Text = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    cursor: CursorParam = None,
) -> Response:
    """The search form and one page of matching events."""
    chosen = language(lang)
    starts, bad_from = _date(date_from)
    ends, bad_to = _date(date_to)
    filters = EventFilters(jurisdiction or None, kind or None, status or None, (q or "").strip() or None, starts, ends)
    found = events.page(session, filters, cursor, PAGE_SIZE, cursor_codec(request, "portal-events"))
    form = {"q": q or "", "jurisdiction": jurisdiction, "kind": kind, "status": status,
            "from": date_from or "", "to": date_to or ""}
    links = Links(forwarded_prefix(request), chosen)
    next_url = links.to("/events", **form, cursor=found.next_cursor) if found.next_cursor else None
    return page(
        request, "events.html", chosen, "/events", here=form, form=form, items=found.items, next_url=next_url,
        facets=event_queries.facets(session), bad_date=bad_from or bad_to,
    )


@router.get("/events/{event_id}", summary="Portal: one event")
def event_page(
    request: Request, session: DbSession, event_id: Annotated[str, Path(max_length=100)], lang: Lang = None
) -> Response:
    """The event's disclosure fields, emissions chart, offsets with their priority, records and certificate."""
    chosen = language(lang)
    path = f"/events/{event_id}"
    try:
        detail = events.get_detail(session, event_id)
    except NotFound:
        return page(request, "not_found.html", chosen, path, status_code=404)
    records = retirements.list_records(session, RetirementFilters(event_id=event_id), None, RECORDS_ON_EVENT_PAGE)
    catalogue = Catalogue(chosen)
    accounted = detail.accounted_emissions
    chart = emissions_chart(accounted.by_source_type, lambda k: catalogue.label("source", k)) if accounted else None
    return page(
        request, "event.html", chosen, path, event=detail, shown=detail.model_fields_set, chart=chart,
        ranked=any(o.priority_tier is not None for o in detail.offsets.by_unit_type), records=records,
    )


async def _verification_page(request: Request, lang: str | None, certificate_id: str | None) -> Response:
    chosen = language(lang)
    outcome = None
    wanted = (certificate_id or "").strip()
    if wanted:
        database = service_context(request).database
        certificate = await anyio.to_thread.run_sync(certificates.load_public, database, wanted)
        outcome = await verify_certificate(wanted, certificate, request.app.state.issuer_keys)
    return page(
        request, "verify.html", chosen, "/verify", here={"id": wanted}, certificate_id=wanted, outcome=outcome,
        status_code=404 if outcome is not None and outcome.state == "not_found" else 200,
    )


@router.get("/verify", summary="Portal: verify a certificate (what its QR code opens)")
async def verify_page(
    request: Request, lang: Lang = None, certificate_id: Annotated[str | None, Query(alias="id", max_length=100)] = None
) -> Response:
    """Checks the certificate's signature against the issuer's published keys and shows its status."""
    return await _verification_page(request, lang, certificate_id)


@router.get("/certificates/{certificate_id}", summary="Portal: a certificate's verification page by path")
async def certificate_page(
    request: Request, certificate_id: Annotated[str, Path(max_length=100)], lang: Lang = None
) -> Response:
    """The same verification page, at the path form a printed QR code may carry."""
    return await _verification_page(request, lang, certificate_id)


@router.get("/policies", summary="Portal: policies and notices")
def policy_list(
    request: Request,
    session: DbSession,
    lang: Lang = None,
    slug: Annotated[str | None, Query(max_length=100, pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")] = None,
    cursor: CursorParam = None,
) -> Response:
    """The latest version of each document, or every version of one."""
    chosen = language(lang)
    if slug:
        codec = cursor_codec(request, f"portal-policy-versions:{slug}")
        try:
            found = policies.page_versions(session, slug, cursor, PAGE_SIZE, codec)
        except NotFound:
            return page(request, "policies.html", chosen, "/policies", here={"slug": slug}, slug=slug, items=[],
                        next_url=None, status_code=404)
    else:
        found = policies.page_latest(session, None, None, cursor, PAGE_SIZE, cursor_codec(request, "portal-policies"))
    links = Links(forwarded_prefix(request), chosen)
    next_url = links.to("/policies", slug=slug, cursor=found.next_cursor) if found.next_cursor else None
    return page(request, "policies.html", chosen, "/policies", here={"slug": slug}, slug=slug, items=found.items,
                next_url=next_url)


@router.get("/assets/portal.css", include_in_schema=False)
def stylesheet(request: Request) -> Response:
    """The portal's only stylesheet."""
    return cached(request, _STYLESHEET, "text/css; charset=utf-8")
