"""Minting RFC 9068 JWT access tokens."""

from __future__ import annotations

import json
import time
import uuid

from services.gateway.keys.service import KeyRing
from shared import jws


def mint_access_token(
    keys: KeyRing,
    *,
    issuer: str,
    client_id: str,
    owner: str,
    scopes: list[str],
    audiences: list[str],
    ttl: int,
) -> str:
    """A signed access token (typ at+jwt) for these scopes and audiences."""
    now = int(time.time())
    key = keys.active()
    claims = {
        "iss": issuer,
        "sub": client_id,
        "client_id": client_id,
        "aud": audiences if len(audiences) != 1 else audiences[0],
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "scope": " ".join(scopes),
        "owner": owner,
    }
    header = {"alg": "ES256", "typ": "at+jwt", "kid": key.kid}
    return jws.sign_compact(header, json.dumps(claims, separators=(",", ":")).encode(), key.private)
