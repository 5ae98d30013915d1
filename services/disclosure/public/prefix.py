"""The path prefix a proxy serves this service under (the gateway sends X-Forwarded-Prefix: /disclosure)."""

from __future__ import annotations

import re

from fastapi import Request

_SAFE_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+){0,5}$")


def forwarded_prefix(request: Request) -> str:
    """The prefix to put before this service's own paths in links; empty when reached directly."""
    prefix = request.headers.get("x-forwarded-prefix", "").rstrip("/")
    # Anything else is ignored rather than echoed: the header ends up inside pages' links.
    return prefix if _SAFE_PREFIX.match(prefix) else ""
