"""SQL for certificate claims, in chunks so that an inventory naming thousands of certificates stays bounded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.accounting.greenpower.models import GreenCertificateClaim

CHUNK = 1000
T = TypeVar("T")

_TABLE: Table = GreenCertificateClaim.__table__  # type: ignore[assignment]


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def claim_absent(session: Session, event_id: str, references: dict[str, str], stamp: datetime) -> None:
    """Claim for the event every key no event holds yet (keys another event holds are left as they are).

    INSERT ... ON CONFLICT DO NOTHING, in key order: on PostgreSQL a concurrent uncommitted claim of the
    same key makes this wait for that transaction's outcome, and two events claiming several keys
    take them in the same order, so they queue rather than deadlock.
    """
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(_TABLE).on_conflict_do_nothing(index_elements=["key"])
    rows = [
        {"key": key, "reference": references[key], "event_id": event_id, "submitted": False, "claimed_at": stamp}
        for key in sorted(references)
    ]
    for chunk in _chunks(rows):
        session.execute(statement, list(chunk))


def held_elsewhere(session: Session, event_id: str, keys: Sequence[str]) -> list[tuple[str, str]]:
    """(key, holding event) for every key of `keys` that another event holds, in key order."""
    found: list[tuple[str, str]] = []
    for chunk in _chunks(sorted(keys)):
        rows = session.execute(
            select(GreenCertificateClaim.key, GreenCertificateClaim.event_id).where(
                GreenCertificateClaim.key.in_(chunk), GreenCertificateClaim.event_id != event_id
            )
        ).all()
        found.extend((row.key, row.event_id) for row in rows)
    return sorted(found)


def draft_keys(session: Session, event_id: str) -> list[str]:
    """The keys the event holds only through its draft (no submitted version names them)."""
    return list(
        session.execute(
            select(GreenCertificateClaim.key).where(
                GreenCertificateClaim.event_id == event_id, GreenCertificateClaim.submitted.is_(False)
            )
        ).scalars()
    )


def release(session: Session, event_id: str, keys: Sequence[str]) -> None:
    """Give up the event's draft claims on `keys` (never a claim a submitted version holds)."""
    for chunk in _chunks(sorted(keys)):
        session.execute(
            delete(GreenCertificateClaim)
            .where(
                GreenCertificateClaim.event_id == event_id,
                GreenCertificateClaim.submitted.is_(False),
                GreenCertificateClaim.key.in_(chunk),
            )
            .execution_options(synchronize_session=False)
        )


def keep_for_good(session: Session, event_id: str) -> None:
    """Every claim the event holds is now named by a submitted version, and is never released."""
    session.execute(
        update(GreenCertificateClaim)
        .where(GreenCertificateClaim.event_id == event_id, GreenCertificateClaim.submitted.is_(False))
        .values(submitted=True)
        .execution_options(synchronize_session=False)
    )

