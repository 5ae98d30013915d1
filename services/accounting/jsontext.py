"""Exact JSON text for stored documents: decimals written as plain strings, never floats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic_core


def decimal_text(value: Decimal) -> str:
    """A decimal as a plain numeral (`0.0000001`, never `1E-7`)."""
    return format(value, "f")


def dumps(value: Any) -> bytes:
    """JSON bytes of a document whose decimals are already strings (dates and enums are written as text)."""
    return pydantic_core.to_json(value)


def loads(text: str | bytes) -> Any:
    """Read JSON text back."""
    return pydantic_core.from_json(text)


def splice(head: dict[str, Any], key: str, raw: bytes | str) -> bytes:
    """`head` with one more member whose value is already JSON text (a stored array of lines, say)."""
    body = dumps(head)
    tail = raw.encode() if isinstance(raw, str) else raw
    separator = b"," if len(body) > 2 else b""
    # One join: the raw text may be megabytes, and each `+` would copy it again.
    return b"".join((body[:-1], separator, dumps(key), b":", tail, b"}"))
