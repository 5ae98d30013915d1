"""FastAPI dependencies that read in a handler's signature: who may call it, with which scopes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from starlette.requests import HTTPConnection

from shared.auth.tokens import Principal, TokenVerifier
from shared.limits import MAX_AUTHORIZATION_BYTES, authorization_too_large
from shared.logs import bind_client
from shared.problems import InsufficientScope, Unauthorized


class _BoundedBearer(HTTPBearer):
    """HTTPBearer that refuses an Authorization field over the bound (431) before it even splits it."""

    async def __call__(self, request: HTTPConnection) -> HTTPAuthorizationCredentials | None:
        fields = request.scope["headers"]
        too_large = authorization_too_large(sum(len(value) for name, value in fields if name == b"authorization"))
        if too_large is not None:
            raise too_large
        return await super().__call__(request)


_bearer = _BoundedBearer(
    auto_error=False,
    description=f"An access token from the gateway's /oauth/token (at most {MAX_AUTHORIZATION_BYTES} bytes)",
)


async def current_principal(
    security_scopes: SecurityScopes,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified caller, holding every scope the route asks for (401 or 403 otherwise)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(credentials.credentials)
    bind_client(principal.client_id)
    missing = [s for s in security_scopes.scopes if not principal.has(s)]
    if missing:
        raise InsufficientScope(f"This call needs the scope(s): {' '.join(missing)}.", required=missing)
    return principal


Authenticated = Annotated[Principal, Depends(current_principal)]
# Routes name their scopes with aliases such as
#   RetireCredits = Annotated[Principal, Security(current_principal, scopes=["registry:retire"])]
DeliverNotifications = Annotated[Principal, Security(current_principal, scopes=["notifications:deliver"])]
AdministerPlatform = Annotated[Principal, Security(current_principal, scopes=["admin"])]
