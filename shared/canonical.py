"""RFC 8785 canonical JSON: the one byte form that log entries and certificates are hashed and signed in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import rfc8785


def _plain(value: Any) -> Any:
    # RFC 8785 has no decimal type; exact quantities travel as strings so no float rounding can creep in.
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical_bytes(value: Any) -> bytes:
    """Serialize a JSON-like value to its RFC 8785 canonical bytes (Decimals become strings)."""
    return rfc8785.dumps(_plain(value))
