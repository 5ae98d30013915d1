"""Weak ETags from the body's hash, If-None-Match answered with 304, and short public caching."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from pydantic import BaseModel

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
