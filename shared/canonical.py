"""RFC 8785 canonical JSON: the one byte form that log entries and certificates are hashed and signed in.

The pure-Python rfc8785 package is the reference, but it sits on every registry write, two or three
times. So a value whose standard-library C encoding is provably its RFC 8785 form takes that path:
str-keyed dicts whose keys stay in the BMP, lists and tuples, strings, bools, None, Decimals and ints
within ±(2**53 - 1), nested at most _MAX_DEPTH deep. Anything else (floats above all) goes to
rfc8785, so the bytes and the errors are always rfc8785's own; tests/shared/test_canonical.py holds
the two paths to that.
"""

from __future__ import annotations

import json
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


# rfc8785 refuses ints a double cannot hold exactly; the fast path must refuse them the same way.
_SAFE_INT = 2**53 - 1
# Deeper (or cyclic) values take rfc8785's path, so the RecursionError they meet is the one it always raised.
_MAX_DEPTH = 64
# Leaves the C encoder writes as rfc8785 does; Decimals become _plain's strings through the default hook.
_LEAVES = frozenset({str, bool, type(None), Decimal})


def _fast(value: Any, depth: int) -> bool:
    """Whether the C encoder writes `value` exactly as rfc8785 writes `_plain(value)`."""
    # Exact types only: subclasses (str or int enums, dict subclasses) may encode or convert keys differently.
    kind = type(value)
    if kind is dict:
        for key in value:
            # RFC 8785 orders keys by UTF-16 code units, json by code points: they agree while keys stay in the BMP.
            if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                return False
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return kind in _LEAVES or (kind is int and -_SAFE_INT <= value <= _SAFE_INT)
    if depth >= _MAX_DEPTH:
        return False
    for item in items:
        if type(item) not in _LEAVES and not _fast(item, depth + 1):
            return False
    return True


def _decimal(value: Decimal) -> str:
    # _fast lets no other unknown type through, so only Decimals reach this hook.
    return format(value, "f")


# Escaping with ensure_ascii=False is rfc8785's: only '"', '\\' and U+0000..U+001F, short forms where JSON has them.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    separators=(",", ":"),
    sort_keys=True,
    allow_nan=False,
    check_circular=False,  # _fast has already refused cycles through its depth bound
    default=_decimal,
)


def canonical_bytes(value: Any) -> bytes:
    """Serialize a JSON-like value to its RFC 8785 canonical bytes (Decimals become strings)."""
    if _fast(value, 0):
        try:
            return _ENCODER.encode(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let rfc8785 raise its own error for it
    return rfc8785.dumps(_plain(value))
