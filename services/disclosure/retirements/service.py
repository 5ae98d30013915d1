"""Retirements, donations and external cancellations as one public list, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.disclosure.feed.models import DisclosedCancellation, DisclosedRetirement
from services.disclosure.public.paging import decode_position, split_page
from services.disclosure.public.quantities import tonnes_from_grams
from services.disclosure.public.times import as_utc
from services.disclosure.retirements import repository
from services.disclosure.retirements.repository import RetirementFilters
from services.disclosure.retirements.schemas import PLATFORM_REGISTRY, RetirementRecord, SerialRangeOut
from shared.pagination import CursorCodec, Page
from shared.problems import BadRequest


def from_retirement(row: DisclosedRetirement) -> RetirementRecord:
    """The public form of a platform retirement or donation."""
    return RetirementRecord(
        id=row.id,
        kind="donation" if row.kind == "donation" else "retirement",
        event_id=row.event_id,
        registry=PLATFORM_REGISTRY,
        unit_type=row.unit_type,
        quantity_g=row.quantity_g,
        tonnes=tonnes_from_grams(row.quantity_g),
        log_index=row.log_index,
        recorded_at=as_utc(row.retired_at),
        serial_ranges=[
            SerialRangeOut(
                serial=r.serial,
                start=r.range_start,
                end=r.range_end,
                quantity_g=r.quantity_g,
                tonnes=tonnes_from_grams(r.quantity_g),
                project_id=r.project_id,
                project_name=r.project_name,
                province=r.province,
                category=r.category,
                vintage=r.vintage,
            )
            for r in row.serial_ranges
        ],
        serial_from=None,
        serial_to=None,
        cancellation_ref=None,
        project_id=None,
        project_province=None,
        vintage=None,
        donor=row.donor_kind,
        beneficiary=row.beneficiary,
        reason=row.reason,
    )


def from_cancellation(row: DisclosedCancellation) -> RetirementRecord:
    """The public form of an external cancellation."""
    return RetirementRecord(
        id=row.id,
        kind="external_cancellation",
        event_id=row.event_id,
        registry=row.registry_code,
        unit_type=row.registry_code,
        quantity_g=row.quantity_g,
        tonnes=tonnes_from_grams(row.quantity_g),
        log_index=row.log_index,
        recorded_at=as_utc(row.recorded_at),
        serial_ranges=[],
        serial_from=row.serial_from,
        serial_to=row.serial_to,
        cancellation_ref=row.cancellation_ref,
        project_id=row.project_id,
        project_province=row.project_province,
        vintage=row.vintage,
        donor=None,
        beneficiary=row.beneficiary,
        reason=row.purpose,
        status=row.status,
        cancelled_on=row.cancelled_on,
        decision=row.decision,
    )


def position_of(record: RetirementRecord) -> dict[str, Any]:
    """The cursor position after a record."""
    return {"at": record.recorded_at.isoformat(), "id": record.id}


def parse_position(position: dict[str, Any] | None) -> tuple[datetime, str] | None:
    """A cursor position back as the sort key."""
    if position is None:
        return None
    try:
        return as_utc(datetime.fromisoformat(position["at"])), position["id"]
    except ValueError as exc:
        raise BadRequest("The cursor is not valid; start again from the first page.") from exc


def list_records(
    session: Session, filters: RetirementFilters, after: tuple[datetime, str] | None, limit: int
) -> list[RetirementRecord]:
    """Up to `limit` records of both tables after a position, merged newest first."""
    records = [from_retirement(r) for r in repository.list_retirements(session, filters, after, limit)]
    records += [from_cancellation(c) for c in repository.list_cancellations(session, filters, after, limit)]
    # Each side is already the first `limit` of its table, so the first `limit` of both is exact.
    records.sort(key=lambda r: (r.recorded_at, r.id), reverse=True)
    return records[:limit]


def page(
    session: Session, filters: RetirementFilters, cursor: str | None, limit: int, codec: CursorCodec
) -> Page[RetirementRecord]:
    """One page of the public list and the cursor of the next."""
    after = parse_position(decode_position(codec, cursor, "at", "id"))
    rows, next_cursor = split_page(list_records(session, filters, after, limit + 1), limit, position_of, codec)
    return Page[RetirementRecord](items=rows, next_cursor=next_cursor)
