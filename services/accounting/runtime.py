"""What endpoints take from the running service besides the session and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.app import ServiceContext, service_context


async def _context(request: Request) -> ServiceContext:
    # A coroutine: as a plain function the dependency would cost every request a thread-pool hop.
    return service_context(request)


Context = Annotated[ServiceContext, Depends(_context)]
