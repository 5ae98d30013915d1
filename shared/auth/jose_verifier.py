"""The one module that calls python-jose: access-token verification with every check pinned.

python-jose 3.5.0 under default options accepts an HS256 token signed with an issuer's public key
(given as raw bytes) and tokens without `aud` or `exp`. Here it only ever gets a public JWK chosen by
`kid` from a trusted JWKS, the algorithm list is pinned to the key's own asymmetric algorithm, and
every claim is required (`client_id` too, RFC 9068 §2.2). `typ`, `crit` and the algorithm are checked
before the signature; `jku`, `jwk`, `x5u` and `x5c` headers are never followed.

The audience is read here (present, a string or a list of strings) but not chosen: a token is
verified once whatever service it is presented to, and the caller compares its audiences in plain
code (shared/auth/tokens.py), so a token meant for another service costs no second verification.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError

ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "ES384", "RS256", "PS256"})
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti", "client_id")


class TokenRejected(Exception):
    """The token failed a check; the message says which, without echoing the token."""


@dataclass(frozen=True)
class VerifiedClaims:
    """The claims of a token whose signature, algorithm, type, issuer, times and required claims were checked;
    `audiences` are its `aud`, for the caller to compare."""

    claims: dict[str, Any]
    kid: str
    algorithm: str
    audiences: frozenset[str]


def unverified_header_and_issuer(token: str) -> tuple[dict[str, Any], str]:
    """Read the header and `iss` to choose keys; nothing read here is trusted until `verify` passes."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.get_unverified_claims(token)
    except JOSEError as exc:
        raise TokenRejected("malformed token") from exc
    issuer = claims.get("iss")
    if not isinstance(issuer, str):
        raise TokenRejected("token has no issuer")
    return header, issuer


def verify(
    token: str,
    header: dict[str, Any],
    key: dict[str, Any],
    *,
    issuer: str,
    algorithms: frozenset[str],
    leeway: int,
    require_nbf: bool,
) -> VerifiedClaims:
    """Verify a JWT access token against one public JWK (all but its audience); raise TokenRejected naming the
    failed check."""
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in (algorithms & ASYMMETRIC_ALGORITHMS):
        raise TokenRejected(f"algorithm {alg!r} is not allowed")
    if header.get("typ") not in ACCESS_TOKEN_TYPES:
        raise TokenRejected("token is not an access token (typ must be at+jwt)")
    if "crit" in header:
        raise TokenRejected("critical header extensions are not supported")
    if key.get("alg") not in (None, alg) or "d" in key or key.get("kty") not in ("EC", "RSA"):
        raise TokenRejected("the key for this kid does not fit the token's algorithm")
    options = {
        "verify_signature": True,
        # The audience is compared by the caller; `aud` is required below all the same.
        "verify_aud": False,
        "verify_iat": True,
        "verify_exp": True,
        "verify_nbf": True,
        "verify_iss": True,
        "verify_sub": True,
        "verify_jti": True,
        "require_iat": True,
        "require_exp": True,
        "require_iss": True,
        "require_sub": True,
        "require_jti": True,
        "require_nbf": require_nbf,
        "leeway": leeway,
    }
    try:
        claims = jwt.decode(token, key, algorithms=[alg], issuer=issuer, options=options)
    except JOSEError as exc:
        raise TokenRejected(f"token rejected: {exc}") from exc
    for name in REQUIRED_CLAIMS:
        if name not in claims:
            raise TokenRejected(f"claim {name!r} is required")
    iat = claims["iat"]
    if not isinstance(iat, int | float) or iat > time.time() + leeway:
        raise TokenRejected("token was issued in the future")
    aud = claims["aud"]
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not audiences or not all(isinstance(a, str) for a in audiences):
        raise TokenRejected("claim 'aud' must be a string or a list of strings")
    return VerifiedClaims(claims=claims, kid=str(header.get("kid")), algorithm=alg, audiences=frozenset(audiences))
