"""One pagination contract for every list: opaque signed cursors and a capped page size."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from shared.problems import BadRequest

T = TypeVar("T")
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 200).")]
CursorParam = Annotated[
    str | None, Query(max_length=512, description="The `next_cursor` of the previous page.")
]


class Page(BaseModel, Generic[T]):
    """A page of results and the cursor of the next one (null on the last page)."""

    items: list[T]
    next_cursor: str | None = None


class CursorCodec:
    """Cursors carry the last row's sort key, signed so a tampered or forged cursor is refused."""

    def __init__(self, secret: str, purpose: str) -> None:
        self._key = hashlib.sha256(f"{purpose}\x00{secret}".encode()).digest()

    def encode(self, position: dict[str, Any]) -> str:
        """An opaque cursor for `position`."""
        body = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        mac = hmac.new(self._key, body, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac + body).decode().rstrip("=")

    def decode(self, cursor: str | None) -> dict[str, Any] | None:
        """The position in a cursor, or None for the first page; BadRequest if it was not ours."""
        if cursor is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            mac, body = raw[:16], raw[16:]
            expected = hmac.new(self._key, body, hashlib.sha256).digest()[:16]
            if not hmac.compare_digest(mac, expected):
                raise ValueError("signature")
            position = json.loads(body)
            if not isinstance(position, dict):
                raise ValueError("shape")
            return position
        except (ValueError, TypeError) as exc:
            raise BadRequest("The cursor is not valid; start again from the first page.") from exc
