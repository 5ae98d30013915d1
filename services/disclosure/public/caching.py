"""Weak ETags from the body's hash, If-None-Match answered with 304, and short public caching."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.disclosure.database import kernel

CACHE_CONTROL = "public, max-age=30"


def weak_etag(body: bytes) -> str:
    """A weak validator for a response body."""
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names this ETag (weak comparison, RFC 9110 §13.1.2)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def cached(
    request: Request, body: bytes, media_type: str, headers: dict[str, str] | None = None, etag: str | None = None
) -> Response:
    """A cacheable response, or 304 Not Modified when the client already holds this body."""
    validators = {"ETag": etag or weak_etag(body), "Cache-Control": CACHE_CONTROL, **(headers or {})}
    if matches(request.headers.get("if-none-match"), validators["ETag"]):
        return Response(status_code=304, headers=validators)
    return Response(content=body, media_type=media_type, headers=validators)


def cached_json(request: Request, model: BaseModel, *, exclude_unset: bool = False) -> Response:
    """A pydantic model as a cacheable JSON response."""
    return cached(request, model.model_dump_json(exclude_unset=exclude_unset).encode(), "application/json")


class ReadModelCache:
    """Rendered public answers, kept until the read model changes.

    Every change to the read model arrives through the inbox, so the inbox's size and latest arrival
    name the read model's version: one small aggregate query decides whether a stored body is still
    the answer, instead of querying and serializing it again.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[str, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def version(session: Session) -> str:
        """The read model's current version."""
        inbox = kernel.inbox
        count, latest = session.execute(select(func.count(), func.max(inbox.c.received_at))).one()
        return f"{count}|{latest}"

    def answer(self, request: Request, session: Session, build: Callable[[], bytes]) -> tuple[bytes, str]:
        """The body for this request at the current version, and its ETag."""
        key = f"{request.url.path}?{request.url.query}"
        version = self.version(session)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(key)
                return hit[1], hit[2]
        body = build()
        etag = weak_etag(body)
        with self._lock:
            self._entries[key] = (version, body, etag)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return body, etag


def read_model_json(
    request: Request, session: Session, build: Callable[[], BaseModel], *, exclude_unset: bool = False
) -> Response:
    """A public answer computed from the read model, served from the cache while the model is unchanged."""
    cache: ReadModelCache | None = getattr(request.app.state, "read_model_cache", None)
    if cache is None:
        cache = request.app.state.read_model_cache = ReadModelCache()
    body, etag = cache.answer(request, session, lambda: build().model_dump_json(exclude_unset=exclude_unset).encode())
    return cached(request, body, "application/json", etag=etag)
