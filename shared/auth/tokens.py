"""Who is calling: a verified access token turned into a Principal, for the platform's and trusted issuers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from shared.auth import jose_verifier
from shared.auth.jwks import JwksCache, JwksFetcher, http_jwks_fetcher
from shared.problems import Unauthorized
from shared.settings import PlatformSettings

PLATFORM_ALGORITHMS = frozenset({"ES256"})
VERIFIED_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Principal:
    """The verified caller: the client, the owner it acts for, its scopes and the issuer that vouched."""

    client_id: str
    owner: str
    scopes: frozenset[str]
    issuer: str
    token_id: str
    claims: dict[str, Any] = field(repr=False, compare=False)

    def has(self, scope: str) -> bool:
        """Whether the token carries `scope`."""
        return scope in self.scopes


@dataclass
class _Issuer:
    issuer: str
    audience: str  # "{service}" stands for the service the token is presented to
    keys: JwksCache
    algorithms: frozenset[str]
    owner_claim: str
    scope_claim: str
    allowed_scopes: frozenset[str] | None
    require_nbf: bool


class TokenVerifier:
    """Verifies bearer tokens for one audience against the platform issuer and any trusted issuers."""

    def __init__(
        self,
        settings: PlatformSettings,
        service: str,
        platform_keys: JwksFetcher | None = None,
    ) -> None:
        self.leeway = settings.clock_leeway_seconds
        self.service = service
        self._verified: dict[tuple[str, str], tuple[Principal, float, float]] = {}
        fetch = platform_keys or http_jwks_fetcher(settings.jwks_url)
        self._issuers = {
            settings.issuer: _Issuer(
                issuer=settings.issuer,
                audience=settings.audience("{service}"),
                keys=JwksCache(fetch, settings.jwks_min_refresh_seconds),
                algorithms=PLATFORM_ALGORITHMS,
                owner_claim="owner",
                scope_claim="scope",
                allowed_scopes=None,
                require_nbf=True,
            )
        }
        for trusted in settings.trusted_issuers:
            self._issuers[trusted.issuer] = _Issuer(
                issuer=trusted.issuer,
                audience=trusted.audience,
                keys=JwksCache(http_jwks_fetcher(trusted.jwks_url), settings.jwks_min_refresh_seconds),
                algorithms=frozenset(trusted.algorithms),
                owner_claim=trusted.owner_claim,
                scope_claim=trusted.scope_claim,
                allowed_scopes=frozenset(trusted.allowed_scopes),
                require_nbf=False,
            )

    def platform_keys(self) -> JwksCache:
        """The platform issuer's key cache (exposed for tests of rotation and kid floods)."""
        return next(iter(self._issuers.values())).keys

    async def verify(self, token: str, service: str | None = None) -> Principal:
        """Verify a bearer token meant for `service` (default: this verifier's own) or raise Unauthorized."""
        service = service or self.service
        cached = self._verified.get((token, service))
        # A token's bytes cannot change, so a signature checked once stays checked; its times are not
        # fixed facts, so they are checked again on every use.
        if cached is not None:
            principal, not_before, expires = cached
            now = time.time()
            if not_before - self.leeway <= now < expires + self.leeway:
                return principal
            self._verified.pop((token, service), None)
        principal = await self._verify_uncached(token, service)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))
        claims = principal.claims
        self._verified[(token, service)] = (principal, float(claims.get("nbf", claims["iat"])), float(claims["exp"]))
        return principal

    async def _verify_uncached(self, token: str, service: str) -> Principal:
        try:
            header, issuer_name = jose_verifier.unverified_header_and_issuer(token)
            issuer = self._issuers.get(issuer_name)
            if issuer is None:
                raise jose_verifier.TokenRejected("issuer is not trusted")
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise jose_verifier.TokenRejected("token has no kid")
            key = await issuer.keys.get(kid)
            if key is None:
                raise jose_verifier.TokenRejected("unknown signing key")
            verified = jose_verifier.verify(
                token,
                header,
                key,
                issuer=issuer.issuer,
                audience=issuer.audience.replace("{service}", service),
                algorithms=issuer.algorithms,
                leeway=self.leeway,
                require_nbf=issuer.require_nbf,
            )
        except jose_verifier.TokenRejected as exc:
            raise Unauthorized(str(exc)) from exc
        claims = verified.claims
        owner = claims.get(issuer.owner_claim)
        raw_scope = claims.get(issuer.scope_claim, "")
        if not isinstance(owner, str) or not owner:
            raise Unauthorized(f"claim {issuer.owner_claim!r} is required")
        if not isinstance(raw_scope, str):
            raise Unauthorized("scope must be a space-separated string")
        scopes = frozenset(raw_scope.split())
        if issuer.allowed_scopes is not None:
            scopes &= issuer.allowed_scopes
        return Principal(
            client_id=str(claims["sub"]),
            owner=owner,
            scopes=scopes,
            issuer=issuer.issuer,
            token_id=str(claims["jti"]),
            claims=claims,
        )
