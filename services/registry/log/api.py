"""The public log: signed checkpoints, consistency proofs, raw entries and the verifier key."""

from __future__ import annotations

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.log import repository
from services.registry.log import service as log
from services.registry.log.schemas import (
    MAX_ENTRIES_PAGE,
    CheckpointOut,
    ConsistencyOut,
    EntriesOut,
    EntryOut,
    PublicKeyOut,
)
from services.registry.runtime import Runtime
from shared.db.session import DbSession
from shared.problems import InvalidInput

router = APIRouter(prefix="/v1/log", tags=["log"])
Size = Annotated[int, Query(ge=0, le=2**62)]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


@router.get("/checkpoint", response_model=CheckpointOut, summary="The latest signed checkpoint (public)")
def checkpoint(runtime: Runtime) -> CheckpointOut:
    """The latest tree head, signed; a new one is signed and published whenever the log has grown."""
    published = log.current_checkpoint(runtime.context.database, runtime.signer)
    return CheckpointOut(
        origin=runtime.signer.origin,
        tree_size=published.tree_size,
        root_hash=_b64(published.root_hash),
        signed_at=published.signed_at,
        checkpoint=published.note,
    )


@router.get("/consistency", response_model=ConsistencyOut, summary="A consistency proof between two sizes (public)")
def consistency(session: DbSession, first: Size, second: Size) -> ConsistencyOut:
    """The RFC 9162 proof that the tree of ``second`` entries extends the tree of ``first``."""
    size = repository.committed_size(session)
    if not first <= second <= size:
        raise InvalidInput(f"Need 0 <= first <= second <= {size} (the log's size); got {first} and {second}.")
    return ConsistencyOut(
        first=first, second=second, proof=[_b64(h) for h in log.consistency_between(session, first, second)]
    )


@router.get("/entries", response_model=EntriesOut, summary="Raw log entries, a bounded page at a time (public)")
def entries(
    session: DbSession,
    start: Size,
    end: Annotated[
        int | None, Query(ge=0, le=2**62, description=f"Exclusive; at most start + {MAX_ENTRIES_PAGE}")
    ] = None,
) -> EntriesOut:
    """Entries start <= index < end, so anyone can rebuild the tree."""
    size = repository.committed_size(session)
    stop = min(size, start + MAX_ENTRIES_PAGE, size if end is None else end)
    if end is not None and end < start:
        raise InvalidInput(f"end ({end}) is before start ({start}).")
    rows = repository.entries(session, start, stop) if start < stop else []
    return EntriesOut(
        start=start,
        end=max(start, stop),
        tree_size=size,
        entries=[
            EntryOut(index=r.leaf_index, leaf_hash=_b64(r.leaf_hash), entry=json.loads(r.canonical)) for r in rows
        ],
    )


@router.get("/public-key", response_model=PublicKeyOut, summary="The log's verifier key (public)")
def public_key(runtime: Runtime) -> PublicKeyOut:
    """The vkey auditors pin to check checkpoint signatures."""
    return PublicKeyOut(vkey=runtime.signer.vkey, origin=runtime.signer.origin)
