"""What endpoints take from the running service besides the session and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.app import ServiceContext, service_context

Context = Annotated[ServiceContext, Depends(service_context)]
