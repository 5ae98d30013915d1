"""Who may call what: scope aliases that read in a handler's signature, and the owner rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import Security

from shared.auth.dependencies import current_principal
from shared.auth.tokens import Principal
from shared.problems import Forbidden

ReadEvents = Annotated[Principal, Security(current_principal, scopes=["events:read"])]
WriteEvents = Annotated[Principal, Security(current_principal, scopes=["events:write"])]


def ensure_owner(principal: Principal, owner: str, event_id: str) -> None:
    """Only the event's owner changes it, whatever the token's scopes."""
    if principal.owner != owner:
        raise Forbidden(
            f"Event {event_id} belongs to another owner; this token acts for {principal.owner!r}.",
            event_id=event_id,
        )
