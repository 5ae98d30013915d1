"""Writes: one unit of work in one transaction, once per Idempotency-Key, retried when a race is lost.

A write is prepared first (reading other services, checking preconditions), then its unit of work
runs in one transaction. A repeated Idempotency-Key returns the stored answer before anything is
prepared again. A unit returns ``(status, body)``. A status of 400 or more is a refusal that still
commits what the unit wrote (an application's re-run checks, say) and leaves as an RFC 9457 problem
document; it is stored under the key like any answer, so a repeat gets the same refusal. A unit may
also raise a Problem, which rolls everything back. Colliding inserts (two certificates drawing the
same status-list index) are retried, with or without a key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.certification.runtime import CertificationRuntime
from shared.auth.tokens import Principal
from shared.db.transactions import run_in_transaction
from shared.idempotency import answer, fingerprint, run_idempotent
from shared.problems import PROBLEM_MEDIA_TYPE

Work = Callable[[Session], tuple[int, dict[str, Any]]]


def _answer(status: int, body: Any, replayed: bool) -> JSONResponse:
    return answer(status, body, replayed, PROBLEM_MEDIA_TYPE if status >= 400 else "application/json")


def run_write(
    runtime: CertificationRuntime,
    principal: Principal,
    key: str | None,
    path: str,
    body: Any,
    prepare: Callable[[], Work],
) -> JSONResponse:
    """Prepare and run a write (once per Idempotency-Key) and answer with what its unit returned."""
    context = runtime.context
    digest = fingerprint("POST", path, body)
    if key is not None:
        context.idempotency.check_key(key)
        with context.database.reads() as session:
            stored = context.idempotency.replay(session, principal.owner, key, digest)
        if stored is not None:
            return _answer(stored.status_code, stored.body, True)
    work = prepare()
    # Loading the issuer keys may write (the development key); never from inside the unit's transaction,
    # which on SQLite already holds the only write lock.
    runtime.load_keys()
    if key is None:
        status, answer = run_in_transaction(context.database.writes, work, retry_integrity=True)
        return _answer(status, answer, False)
    status, answer, replayed = run_idempotent(
        context.idempotency, context.database.writes, owner=principal.owner, key=key, digest=digest, work=work
    )
    return _answer(status, answer, replayed)
