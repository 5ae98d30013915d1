"""Bounded bodies: inventory writes may carry up to 20,000 lines; every other body keeps the default limit."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.limits import DEFAULT_MAX_BODY, BodySizeLimitMiddleware

INVENTORY_MAX_BODY = 16 * 1024 * 1024
_INVENTORY_WRITE = re.compile(r"^/v1/events/[^/]+/inventory(?:/amendments)?$")


class InventoryBodyLimit:
    """Pure ASGI: the shared body limit, raised for the two routes that take a whole inventory."""

    def __init__(
        self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY, inventory_max_bytes: int = INVENTORY_MAX_BODY
    ) -> None:
        self.default = BodySizeLimitMiddleware(app, max_bytes)
        self.inventory = BodySizeLimitMiddleware(app, inventory_max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _INVENTORY_WRITE.match(scope.get("path", "")):
            await self.inventory(scope, receive, send)
        else:
            await self.default(scope, receive, send)
