"""Queries over retirements, donations and external cancellations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from services.disclosure.feed.models import LIVE_CLAIMS, DisclosedCancellation, DisclosedRetirement
from services.disclosure.retirements.schemas import PLATFORM_REGISTRY


@dataclass(frozen=True)
class RetirementFilters:
    """The public list's filters; None means "any"."""

    event_id: str | None = None
    unit_type: str | None = None
    registry: str | None = None
    kind: str | None = None

    @property
    def wants_platform(self) -> bool:
        """Whether platform retirements and donations can match."""
        return self.registry in (None, PLATFORM_REGISTRY) and self.kind != "external_cancellation"

    @property
    def wants_external(self) -> bool:
        """Whether external cancellations can match."""
        return self.registry != PLATFORM_REGISTRY and self.kind in (None, "external_cancellation")


@dataclass(frozen=True)
class UnitTotal:
    """One event's offsets of one unit type."""

    unit_type: str
    grams: int
    records: int
    latest: datetime


def list_retirements(
    session: Session, filters: RetirementFilters, after: tuple[datetime, str] | None, limit: int
) -> list[DisclosedRetirement]:
    """Platform retirements and donations, newest first, with their serial ranges."""
    if not filters.wants_platform:
        return []
    model = DisclosedRetirement
    query = select(model).options(selectinload(model.serial_ranges))
    if filters.event_id:
        query = query.where(model.event_id == filters.event_id)
    if filters.unit_type:
        query = query.where(model.unit_type == filters.unit_type)
    if filters.kind:
        query = query.where(model.kind == filters.kind)
    if after is not None:
        query = query.where(or_(model.retired_at < after[0], and_(model.retired_at == after[0], model.id < after[1])))
    query = query.order_by(model.retired_at.desc(), model.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def list_cancellations(
    session: Session, filters: RetirementFilters, after: tuple[datetime, str] | None, limit: int
) -> list[DisclosedCancellation]:
    """External cancellations, newest first."""
    if not filters.wants_external:
        return []
    model = DisclosedCancellation
    query = select(model)
    if filters.event_id:
        query = query.where(model.event_id == filters.event_id)
    if filters.unit_type:
        query = query.where(model.registry_code == filters.unit_type)
    if filters.registry:
        query = query.where(model.registry_code == filters.registry)
    if after is not None:
        query = query.where(
            or_(model.recorded_at < after[0], and_(model.recorded_at == after[0], model.id < after[1]))
        )
    query = query.order_by(model.recorded_at.desc(), model.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def offsets_by_event(session: Session, event_ids: list[str]) -> dict[str, list[UnitTotal]]:
    """Per event: grams, record count and latest date by unit type (external registries count as unit types)."""
    if not event_ids:
        return {}
    r, c = DisclosedRetirement, DisclosedCancellation
    platform = session.execute(
        select(r.event_id, r.unit_type, func.sum(r.quantity_g), func.count(), func.max(r.retired_at))
        .where(r.event_id.in_(event_ids))
        .group_by(r.event_id, r.unit_type)
    ).all()
    external = session.execute(
        select(c.event_id, c.registry_code, func.sum(c.quantity_g), func.count(), func.max(c.recorded_at))
        .where(c.event_id.in_(event_ids), c.status.in_(LIVE_CLAIMS))
        .group_by(c.event_id, c.registry_code)
    ).all()
    merged: dict[str, dict[str, UnitTotal]] = defaultdict(dict)
    for event_id, unit_type, grams, records, latest in [*platform, *external]:
        known = merged[event_id].get(unit_type)
        if known is not None:
            grams, records, latest = grams + known.grams, records + known.records, max(latest, known.latest)
        merged[event_id][unit_type] = UnitTotal(unit_type, int(grams), int(records), latest)
    return {event_id: sorted(units.values(), key=lambda u: u.unit_type) for event_id, units in merged.items()}
