"""Disclosed events: what the public list and an event's page show."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.disclosure.certificates import repository as certificates
from services.disclosure.events import repository
from services.disclosure.events.fields import Facts, band_changes, disclosed, late_plan
from services.disclosure.events.priority import priority_ranks
from services.disclosure.events.repository import EventFilters
from services.disclosure.events.schemas import (
    CertificateBrief,
    EventDetail,
    EventSummary,
    OffsetByUnitType,
    Offsets,
)
from services.disclosure.feed.models import DisclosedCertificate, DisclosedEvent
from services.disclosure.public.paging import decode_position, split_page
from services.disclosure.public.quantities import tonnes_from_grams
from services.disclosure.public.times import as_utc, china_date
from services.disclosure.retirements import repository as retirements
from services.disclosure.retirements.repository import UnitTotal
from shared.pagination import CursorCodec, Page
from shared.problems import NotFound


def _offsets(units: list[UnitTotal], ranks: dict[str, int]) -> Offsets:
    total = sum(u.grams for u in units)
    return Offsets(
        total_g=total,
        total_tonnes=tonnes_from_grams(total),
        by_unit_type=[
            OffsetByUnitType(
                unit_type=u.unit_type,
                quantity_g=u.grams,
                tonnes=tonnes_from_grams(u.grams),
                records=u.records,
                priority_tier=ranks.get(u.unit_type),
            )
            for u in units
        ],
    )


def _brief(row: DisclosedCertificate | None) -> CertificateBrief | None:
    if row is None:
        return None
    return CertificateBrief(
        id=row.id,
        status=row.status,
        issued_at=as_utc(row.issued_at),
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
        revocation_reason=row.document.get("revocation_reason"),
    )


def build_details(session: Session, rows: list[DisclosedEvent]) -> list[EventDetail]:
    """The public detail of each event, with two batched queries for offsets and certificates."""
    ids = [row.id for row in rows]
    offsets = retirements.offsets_by_event(session, ids)
    latest = certificates.latest_for_events(session, ids)
    details = []
    for row in rows:
        units = offsets.get(row.id, [])
        policy = row.document.get("policy") or {}
        last_offset: date | None = max((china_date(u.latest) for u in units), default=None)
        values: dict[str, Any] = {
            "id": row.id,
            "jurisdiction": row.jurisdiction,
            "status": row.status,
            "offsets": _offsets(units, priority_ranks(policy.get("priority"))),
            "certificate": _brief(latest.get(row.id)),
            "late_plan": late_plan(row.document),
            "band_changes": band_changes(row.document),
        }
        values.update(disclosed(row.document, Facts([u.unit_type for u in units], last_offset)))
        details.append(EventDetail.model_validate(values))
    return details


def summarize(detail: EventDetail, kind: str) -> EventSummary:
    """The list form of an event's detail (so both always agree)."""
    return EventSummary(
        id=detail.id,
        jurisdiction=detail.jurisdiction,
        kind=kind,
        status=detail.status,
        name=detail.name,
        organizers=detail.organizers,
        starts_at=detail.starts_at,
        ends_at=detail.ends_at,
        offsets_total_g=detail.offsets.total_g,
        offsets_total_tonnes=detail.offsets.total_tonnes,
        certificate_status=detail.certificate.status if detail.certificate else None,
    )


def list_summaries(
    session: Session, filters: EventFilters, after: tuple[date, str] | None, limit: int
) -> list[tuple[EventSummary, tuple[date, str]]]:
    """Up to `limit` events after a position, each with its own sort key."""
    rows = repository.list_events(session, filters, after, limit)
    details = build_details(session, rows)
    return [(summarize(d, row.kind), (row.starts_on, row.id)) for d, row in zip(details, rows, strict=True)]


def get_detail(session: Session, event_id: str) -> EventDetail:
    """One event's disclosure, or NotFound."""
    row = repository.get_event(session, event_id)
    if row is None:
        raise NotFound(f"No event {event_id} is disclosed.")
    return build_details(session, [row])[0]


def page(
    session: Session, filters: EventFilters, cursor: str | None, limit: int, codec: CursorCodec
) -> Page[EventSummary]:
    """One page of the public list and the cursor of the next."""
    position = decode_position(codec, cursor, "s", "i")
    after = None if position is None else (date.fromisoformat(position["s"]), position["i"])
    found = list_summaries(session, filters, after, limit + 1)
    rows, next_cursor = split_page(found, limit, lambda f: {"s": f[1][0].isoformat(), "i": f[1][1]}, codec)
    return Page[EventSummary](items=[summary for summary, _key in rows], next_cursor=next_cursor)
