"""POST /oauth/token, GET /.well-known/oauth-authorization-server, GET /.well-known/jwks.json."""

from __future__ import annotations

import base64
import binascii
import math
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from services.gateway.clients.service import authenticate
from services.gateway.oauth.errors import oauth_error
from services.gateway.oauth.tokens import mint_access_token
from shared.auth.scopes import SCOPE_AUDIENCES, audiences_for
from shared.problems import TooManyRequests, problem_response

router = APIRouter(tags=["oauth"])


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
        client_id, _, secret = decoded.partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote(client_id), unquote(secret)


def _too_many_failures(wait: float) -> JSONResponse:
    retry_after = max(1, math.ceil(wait))
    problem = TooManyRequests("Too many failed client authentications from this address; wait before trying again.",
                              retry_after_seconds=retry_after)
    problem.headers.update({"Retry-After": str(retry_after), "Cache-Control": "no-store"})
    return problem_response(problem, "/oauth/token")


@router.post("/oauth/token", summary="OAuth 2.0 token endpoint (client_credentials, RFC 6749 §4.4)")
def token(
    request: Request,
    grant_type: Annotated[str | None, Form(max_length=100)] = None,
    client_id: Annotated[str | None, Form(max_length=100)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[str | None, Form(max_length=1000)] = None,
    resource: Annotated[str | None, Form(max_length=300)] = None,
) -> JSONResponse:
    """Issue an access token to an authenticated client for the scopes it asks for and holds."""
    gateway = request.app.state.gateway
    # The socket address, never X-Forwarded-For: a guesser must not pick a fresh bucket per attempt.
    failures_key = f"address:{request.client.host if request.client else 'unknown'}"
    wait = gateway.auth_failures.wait(failures_key)
    if wait > 0:
        return _too_many_failures(wait)
    basic = _basic_credentials(request)
    if basic and client_id and client_id != basic[0]:
        return oauth_error("invalid_request", "client_id in the body does not match HTTP Basic credentials")
    if basic:
        client_id, client_secret = basic
    if not grant_type:
        return oauth_error("invalid_request", "grant_type is required")
    if not client_id or not client_secret:
        return oauth_error("invalid_client", "client authentication is required", basic is not None)
    with gateway.database.reads() as session:
        client = authenticate(session, client_id, client_secret)
        if client is None:
            gateway.auth_failures.allow(failures_key)
            return oauth_error("invalid_client", "unknown client or wrong secret", basic is not None)
        owner, granted = client.owner, set(client.scopes.split())
    if grant_type != "client_credentials":
        return oauth_error("unsupported_grant_type", "only client_credentials is supported")
    requested = set(scope.split()) if scope else granted
    if not requested <= granted:
        extra = " ".join(sorted(requested - granted))
        return oauth_error("invalid_scope", f"the client was not given: {extra}")
    if not requested:
        return oauth_error("invalid_scope", "the client holds no scope")
    audiences = [gateway.settings.audience(s) for s in audiences_for(requested)]
    if resource:
        if resource not in audiences:
            return oauth_error("invalid_target", "the requested resource does not accept these scopes")
        audiences = [resource]
    ttl = gateway.settings.gateway_token_ttl_seconds
    access_token = mint_access_token(
        gateway.keys,
        issuer=gateway.settings.issuer,
        client_id=client_id,
        owner=owner,
        scopes=sorted(requested),
        audiences=audiences,
        ttl=ttl,
    )
    return JSONResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": ttl, "scope": " ".join(sorted(requested))},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@router.get("/.well-known/jwks.json", summary="The keys that sign access tokens")
def jwks(request: Request) -> JSONResponse:
    """The published JWKS; rotated-out keys stay until every token they signed has expired."""
    return JSONResponse(request.app.state.gateway.keys.jwks(), headers={"Cache-Control": "public, max-age=60"})


@router.get("/.well-known/oauth-authorization-server", summary="RFC 8414 authorization server metadata")
def metadata(request: Request) -> dict[str, Any]:
    """Where to get tokens and keys, and what is supported."""
    settings = request.app.state.gateway.settings
    issuer = settings.issuer.rstrip("/")
    return {
        "issuer": settings.issuer,
        "token_endpoint": f"{issuer}/oauth/token",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": sorted(SCOPE_AUDIENCES),
        "response_types_supported": ["token"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "service_documentation": f"{issuer}/docs",
    }
