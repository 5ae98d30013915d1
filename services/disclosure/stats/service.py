"""Platform-wide statistics."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from services.disclosure.certificates.repository import count_neutralized_events
from services.disclosure.events.repository import count_events
from services.disclosure.public.quantities import tonnes_from_grams
from services.disclosure.stats import repository
from services.disclosure.stats.schemas import Bucket, Stats


def _buckets(grams: Counter[str], by_size: bool) -> list[Bucket]:
    keys = sorted(grams, key=lambda k: (-grams[k], k)) if by_size else sorted(grams)
    return [Bucket(key=k, quantity_g=grams[k], tonnes=tonnes_from_grams(grams[k])) for k in keys]


def compute(session: Session) -> Stats:
    """The statistics as of now."""
    by_unit_type = repository.grams_by_unit_type(session)
    certificates = repository.certificates_by_status(session)
    total = sum(by_unit_type.values())
    return Stats(
        events_disclosed=count_events(session),
        events_neutralized=count_neutralized_events(session),
        certificates_valid=certificates["valid"],
        certificates_revoked=certificates["revoked"],
        retired_total_g=total,
        retired_total_tonnes=tonnes_from_grams(total),
        by_unit_type=_buckets(by_unit_type, by_size=True),
        by_province=_buckets(repository.grams_by_province(session), by_size=True),
        by_month=_buckets(repository.grams_by_month(session), by_size=False),
    )
