"""The aggregate queries behind the statistics, all summing integer grams in the database."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.disclosure.feed.models import (
    LIVE_CLAIMS,
    DisclosedCancellation,
    DisclosedCertificate,
    DisclosedRetirement,
    DisclosedSerialRange,
)

UNKNOWN = "unknown"


Key = InstrumentedAttribute[str] | InstrumentedAttribute[str | None]


def _sum_by(session: Session, key: Key, grams: InstrumentedAttribute[int]) -> Counter[str]:
    query = select(key, func.sum(grams)).group_by(key)
    if grams.class_ is DisclosedCancellation:
        query = query.where(DisclosedCancellation.status.in_(LIVE_CLAIMS))
    rows = session.execute(query).all()
    return Counter({(name or UNKNOWN): int(total) for name, total in rows})


def grams_by_unit_type(session: Session) -> Counter[str]:
    """Retired grams by unit type; an external registry's name is its unit type."""
    return _sum_by(session, DisclosedRetirement.unit_type, DisclosedRetirement.quantity_g) + _sum_by(
        session, DisclosedCancellation.registry_code, DisclosedCancellation.quantity_g
    )


def grams_by_month(session: Session) -> Counter[str]:
    """Retired grams by month."""
    return _sum_by(session, DisclosedRetirement.month, DisclosedRetirement.quantity_g) + _sum_by(
        session, DisclosedCancellation.month, DisclosedCancellation.quantity_g
    )


def grams_by_province(session: Session) -> Counter[str]:
    """Retired grams by the project's province: serial ranges and external cancellations."""
    ranges = _sum_by(session, DisclosedSerialRange.province, DisclosedSerialRange.quantity_g)
    retired = int(session.execute(select(func.coalesce(func.sum(DisclosedRetirement.quantity_g), 0))).scalar_one())
    # A retirement reported without serial ranges still counts, under "unknown".
    unranged = retired - sum(ranges.values())
    if unranged > 0:
        ranges[UNKNOWN] += unranged
    return ranges + _sum_by(session, DisclosedCancellation.project_province, DisclosedCancellation.quantity_g)


def certificates_by_status(session: Session) -> Counter[str]:
    """How many certificates are valid and revoked."""
    rows = session.execute(
        select(DisclosedCertificate.status, func.count()).group_by(DisclosedCertificate.status)
    ).all()
    return Counter({status: int(count) for status, count in rows})
