"""Keyset pagination over the read model with the kernel's signed cursors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import Request

from shared.app import service_context
from shared.pagination import CursorCodec
from shared.problems import BadRequest

T = TypeVar("T")


def cursor_codec(request: Request, purpose: str) -> CursorCodec:
    """The codec of one list's cursors; a cursor of one list is refused by another."""
    return CursorCodec(service_context(request).settings.secret_key, f"disclosure:{purpose}")


def decode_position(codec: CursorCodec, cursor: str | None, *keys: str) -> dict[str, Any] | None:
    """The position a cursor carries, checked to hold the keys this list sorts by."""
    position = codec.decode(cursor)
    if position is not None and any(not isinstance(position.get(key), str) for key in keys):
        raise BadRequest("The cursor is not valid; start again from the first page.")
    return position


def split_page(
    rows: Sequence[T], limit: int, position_of: Callable[[T], dict[str, Any]], codec: CursorCodec
) -> tuple[list[T], str | None]:
    """The page (rows were fetched with limit + 1) and the cursor of the next one, if any."""
    page = list(rows[:limit])
    if len(rows) <= limit or not page:
        return page, None
    return page, codec.encode(position_of(page[-1]))
