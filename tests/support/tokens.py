"""Forging tokens for attack tests: the same claims the gateway mints, altered one way at a time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization

from shared import jws
from tests.support.running import RunningPlatform


def claims_for(
    platform: RunningPlatform, service: str, scope: str, owner: str = "org:attacker", **changes: Any
) -> dict[str, Any]:
    """Valid claims for `service`, then `changes` applied (None deletes a claim)."""
    assert platform.settings is not None
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.settings.issuer,
        "sub": "lt_forged",
        "client_id": "lt_forged",
        "aud": platform.settings.audience(service),
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "scope": scope,
        "owner": owner,
    }
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def signed(platform: RunningPlatform, claims: dict[str, Any], **header_changes: Any) -> str:
    """Sign with the gateway's active key (a token only changed claims can make invalid)."""
    key = platform.built["gateway"].app.state.gateway.keys.active()
    header = {"alg": "ES256", "typ": "at+jwt", "kid": key.kid, **header_changes}
    return jws.sign_compact(header, json.dumps(claims).encode(), key.private)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any]) -> str:
    """An `alg: none` token."""
    return f"{b64(json.dumps({'alg': 'none', 'typ': 'at+jwt'}).encode())}.{b64(json.dumps(claims).encode())}."


def hs256_with_public_key(platform: RunningPlatform, claims: dict[str, Any], form: str) -> str:
    """The key-confusion attack: HMAC keyed with the issuer's public key (PEM or DER bytes)."""
    key = platform.built["gateway"].app.state.gateway.keys.active()
    public = key.private.public_key()
    if form == "pem":
        secret = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    else:
        secret = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "at+jwt", "kid": key.kid}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered(token: str, **changes: Any) -> str:
    """The token with its payload changed and the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
