"""Idempotency-Key on creating writes: a repeat with the same key returns the first answer."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.accounting.problems import ConcurrentChange
from shared.idempotency import IdempotencyStore, fingerprint
from shared.idempotency import answer as keyed_answer


class Once:
    """One write under an optional Idempotency-Key, inside the request's transaction."""

    def __init__(self, store: IdempotencyStore, session: Session, owner: str, key: str | None) -> None:
        self.store = store
        self.session = session
        self.owner = owner
        self.key = store.check_key(key)
        self.digest = ""

    def replay(self, method: str, path: str, body: Any) -> JSONResponse | None:
        """The first answer if this key was used for this same request (409 if for another)."""
        if self.key is None:
            return None
        self.digest = fingerprint(method, path, body)
        stored = self.store.replay(self.session, self.owner, self.key, self.digest)
        if stored is None:
            return None
        return keyed_answer(stored.status_code, stored.body, replayed=True)

    def answer(self, status_code: int, body: Any) -> JSONResponse:
        """Record the answer under the key (in the same transaction as the write) and return it."""
        if self.key is not None:
            try:
                self.store.record(self.session, self.owner, self.key, self.digest, status_code, body)
            except IntegrityError as exc:
                # The same key in flight twice: the other request wins; this one is told to retry.
                raise ConcurrentChange("A request with this Idempotency-Key is in progress; retry.") from exc
        return JSONResponse(body, status_code=status_code)
