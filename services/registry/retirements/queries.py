"""Public reads: an event's retirements, donations and external cancellations, and their proofs."""

from __future__ import annotations

import base64
import json

from sqlalchemy.orm import Session

from services.registry.cancellations import repository as cancellations
from services.registry.cancellations import service as cancellation_service
from services.registry.cancellations.schemas import CancellationOut
from services.registry.credits import repository as credits
from services.registry.credits.movement import Moved
from services.registry.log import repository as log_rows
from services.registry.log import service as log
from services.registry.log.keys import LogSigner
from services.registry.retirements import repository
from services.registry.retirements.models import Retirement
from services.registry.retirements.schemas import EventRecords, ProofOut, RetirementOut, UnitTotal
from services.registry.retirements.service import public_record
from shared.db.engine import Database
from shared.problems import NotFound

# The records whose entries a certificate rests on: what was retired or claimed, and claims' decisions.
PROVABLE = frozenset({"retirement", "donation", "external_cancellation", "external_cancellation.decision"})


def _retirements(session: Session, rows: list[tuple[Retirement, int]]) -> list[RetirementOut]:
    ids = [record.id for record, _ in rows]
    blocks = credits.retired_blocks(session, ids)
    bound = repository.bound_by(session, ids)
    return [
        public_record(
            record, index, [Moved(view, view.block) for view in blocks.get(record.id, [])], bound.get(record.id, [])
        )
        for record, index in rows
    ]


def event_records(session: Session, event_id: str | None, after: int, limit: int) -> tuple[EventRecords, int | None]:
    """One page in log order, totals over everything that matches, and the last index if more may follow."""
    platform = _retirements(session, repository.page(session, event_id, after, limit))
    external = [cancellation_service.out(row) for row in cancellations.page(session, event_id, after, limit)]
    merged: list[RetirementOut | CancellationOut] = [*platform, *external]
    items = sorted(merged, key=lambda r: r.log_index)[:limit]
    sums: dict[str, tuple[int, int]] = {}
    for unit_type, grams, records in [*repository.totals(session, event_id), *cancellations.totals(session, event_id)]:
        known = sums.get(unit_type, (0, 0))
        sums[unit_type] = (known[0] + grams, known[1] + records)
    page = EventRecords(
        event_id=event_id,
        totals=[UnitTotal(unit_type=u, quantity_g=g, records=n) for u, (g, n) in sorted(sums.items())],
        items=items,
    )
    return page, (items[-1].log_index if len(items) == limit else None)


def record(session: Session, record_id: str) -> RetirementOut | CancellationOut:
    """A retirement, donation or external cancellation by id (404 otherwise)."""
    if record_id.startswith("xc_"):
        found_xc = cancellations.get(session, record_id)
        if found_xc is not None:
            return cancellation_service.out(found_xc)
    else:
        found = repository.get(session, record_id)
        if found is not None:
            return _retirements(session, [found])[0]
    raise NotFound(f"No retirement, donation or external cancellation {record_id}.")


def proof(database: Database, signer: LogSigner, record_id: str) -> ProofOut:
    """The record's log entry, its inclusion proof and the signed checkpoint it proves against."""
    with database.reads() as session:
        entry = log_rows.entry_for_record(session, record_id)
    if entry is None or entry.kind not in PROVABLE:
        raise NotFound(f"No retirement, donation, external cancellation or decision on one {record_id}.")
    checkpoint = log.current_checkpoint(database, signer)
    with database.reads() as session:
        path = log.inclusion_at(session, entry.leaf_index, checkpoint.tree_size)
    return ProofOut(
        entry=json.loads(entry.canonical),
        leaf_index=entry.leaf_index,
        tree_size=checkpoint.tree_size,
        inclusion_proof=[base64.b64encode(h).decode() for h in path],
        checkpoint=checkpoint.note,
    )
