"""Idempotency-Key for writes that move value: a repeat returns the first answer and moves nothing again.

The record is written in the same transaction as the change it answers for, so either both exist or
neither does. Two requests racing with one key collide on the (owner, key) unique constraint; the
loser's transaction is retried and then finds the winner's answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import Table, bindparam, insert, select

from shared.canonical import canonical_bytes
from shared.db.executor import Executor
from shared.problems import BadRequest, Conflict

_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="A unique key per logical write; a repeat with the same body returns the first answer.",
    ),
]


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer given for an idempotency key."""

    status_code: int
    body: Any


REPLAYED_HEADER = "Idempotent-Replayed"


def answer(status_code: int, body: Any, replayed: bool, media_type: str | None = None) -> JSONResponse:
    """The response for a keyed write; a replay says so in a header, with the first answer's status and body."""
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return JSONResponse(body, status_code=status_code, media_type=media_type, headers=headers)


def fingerprint(method: str, path: str, body: Any) -> str:
    """A digest of what was asked, so the same key with another request can be told apart."""
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical_bytes(body)).hexdigest()


class IdempotencyStore:
    """Looks up and records answers in a service's idempotency table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        # Built once: every keyed write runs both, and building a statement costs more than running it.
        self._lookup = select(table.c.fingerprint, table.c.status_code, table.c.response).where(
            table.c.owner == bindparam("for_owner"), table.c.key == bindparam("for_key")
        )
        self._insert = insert(table)

    def check_key(self, key: str | None) -> str | None:
        """Validate the header's value (printable ASCII, at most 200 characters)."""
        if key is not None and not _VALID_KEY.match(key):
            raise BadRequest("Idempotency-Key must be 1-200 printable ASCII characters.")
        return key

    def replay(self, session: Executor, owner: str, key: str, digest: str) -> StoredAnswer | None:
        """The stored answer for this key, None if it is new; Conflict if it was used for another request."""
        row = session.execute(self._lookup, {"for_owner": owner, "for_key": key}).first()
        if row is None:
            return None
        if row.fingerprint != digest:
            raise Conflict(
                "This Idempotency-Key was already used for a different request.",
                idempotency_key=key,
            )
        return StoredAnswer(status_code=row.status_code, body=json.loads(row.response))

    def record(self, session: Executor, owner: str, key: str, digest: str, status_code: int, body: Any) -> None:
        """Store the answer given for this key, inside the transaction that made the change."""
        session.execute(
            self._insert,
            {
                "owner": owner,
                "key": key,
                "fingerprint": digest,
                "status_code": status_code,
                "response": json.dumps(body, default=str),
                "created_at": datetime.now(UTC),
            },
        )


def idempotent_unit(
    store: IdempotencyStore, *, owner: str, key: str | None, digest: str, work: Any
) -> Callable[[Executor], tuple[int, Any, bool]]:
    """The unit of work that runs `work(executor) -> (status, body)` once per key: a repeat finds the
    first answer instead; returns (status, body, replayed)."""
    store.check_key(key)

    def unit(executor: Executor) -> tuple[int, Any, bool]:
        if key is not None:
            stored = store.replay(executor, owner, key, digest)
            if stored is not None:
                return stored.status_code, stored.body, True
        status_code, body = work(executor)
        if key is not None:
            store.record(executor, owner, key, digest, status_code, body)
        return status_code, body, False

    return unit


def run_idempotent(
    store: IdempotencyStore,
    sessions: Any,
    *,
    owner: str,
    key: str | None,
    digest: str,
    work: Any,
) -> tuple[int, Any, bool]:
    """Run `work(session) -> (status, body)` once per key, retrying lost races; returns (status, body, replayed)."""
    from shared.db.transactions import run_in_transaction

    unit = idempotent_unit(store, owner=owner, key=key, digest=digest, work=work)
    result: tuple[int, Any, bool] = run_in_transaction(sessions, unit, retry_integrity=key is not None)
    return result
