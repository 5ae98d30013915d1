"""Who is calling: a verified access token turned into a Principal, for the platform's and trusted issuers.

A token is verified once, whatever service it is presented to: signature, algorithm, `typ`, issuer,
times and required claims (`client_id` among them, RFC 9068 §2.2) by jose_verifier, the result kept
by the token's text; then its audience is compared for the service in plain code. A token longer than
MAX_AUTHORIZATION_BYTES is refused by its length before anything decodes it.

Owners and clients: a platform token acts for its `owner` claim as its client (`client_id`) was
registered, and neither ever contains `/`. A trusted issuer's token acts for `<alias>/<owner claim>`
as client `<alias>/<client_id>`, in the issuer's own namespace: it can never be a platform owner or
client, nor another issuer's subject.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from shared.auth import jose_verifier
from shared.auth.jwks import JwksCache, JwksFetcher, http_jwks_fetcher
from shared.limits import authorization_too_large
from shared.problems import Unauthorized
from shared.settings import PlatformSettings

PLATFORM_ALGORITHMS = frozenset({"ES256"})
VERIFIED_CACHE_SIZE = 10_000
# A sign-on's subject or client as its issuer names it; with its alias (at most 32 characters) and '/' in
# front it stays within the 100 characters the services keep for an owner or a client.
MAX_PARTY_LENGTH = 64


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


@dataclass(frozen=True)
class CheckedToken:
    """A token verified in everything but its audience: who it is for, and which services it names."""

    principal: Principal
    audiences: frozenset[str]
    not_before: float
    expires: float


@dataclass
class _Issuer:
    issuer: str
    namespace: str | None  # the trusted issuer's alias; None for the platform's own
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
        self._checked: dict[str, CheckedToken] = {}
        fetch = platform_keys or http_jwks_fetcher(settings.jwks_url)
        self._issuers = {
            settings.issuer: _Issuer(
                issuer=settings.issuer,
                namespace=None,
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
                namespace=trusted.alias,
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
        checked = await self.check(token)
        service = service or self.service
        if not self.meant_for(checked, service):
            raise Unauthorized(f"token is not meant for {service}")
        return checked.principal

    def meant_for(self, checked: CheckedToken, service: str) -> bool:
        """Whether the checked token's audience names `service` as its issuer spells it."""
        return self._issuers[checked.principal.issuer].audience.replace("{service}", service) in checked.audiences

    async def check(self, token: str) -> CheckedToken:
        """Verify everything but the audience, once per token: later uses check only its times again."""
        too_large = authorization_too_large(len(token))
        if too_large is not None:
            raise too_large
        cached = self._checked.get(token)
        # A token's bytes cannot change, so a signature checked once stays checked; its times are not
        # fixed facts, so they are checked again on every use.
        if cached is not None:
            if cached.not_before - self.leeway <= time.time() < cached.expires + self.leeway:
                return cached
            self._checked.pop(token, None)
        checked = await self._check_uncached(token)
        if len(self._checked) >= VERIFIED_CACHE_SIZE:
            self._checked.pop(next(iter(self._checked)))
        self._checked[token] = checked
        return checked

    async def _check_uncached(self, token: str) -> CheckedToken:
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
                algorithms=issuer.algorithms,
                leeway=self.leeway,
                require_nbf=issuer.require_nbf,
            )
        except jose_verifier.TokenRejected as exc:
            raise Unauthorized(str(exc)) from exc
        claims = verified.claims
        return CheckedToken(
            principal=_principal(issuer, claims),
            audiences=verified.audiences,
            not_before=float(claims.get("nbf", claims["iat"])),
            expires=float(claims["exp"]),
        )


def _principal(issuer: _Issuer, claims: dict[str, Any]) -> Principal:
    """The caller a verified token names, in its issuer's namespace."""
    owner = claims.get(issuer.owner_claim)
    client_id = claims["client_id"]
    raw_scope = claims.get(issuer.scope_claim, "")
    if not isinstance(owner, str) or not owner:
        raise Unauthorized(f"claim {issuer.owner_claim!r} is required")
    if not isinstance(client_id, str) or not client_id:
        raise Unauthorized("claim 'client_id' must be a non-empty string")
    if not isinstance(raw_scope, str):
        raise Unauthorized("scope must be a space-separated string")
    scopes = frozenset(raw_scope.split())
    if issuer.allowed_scopes is not None:
        scopes &= issuer.allowed_scopes
    if issuer.namespace is None:
        # The gateway registers no owner or client with a '/', the namespace separator: a platform token
        # naming one was not made by the platform's own rules.
        if "/" in owner or "/" in client_id:
            raise Unauthorized("a platform token's owner and client never contain '/'")
    else:
        if len(owner) > MAX_PARTY_LENGTH or len(client_id) > MAX_PARTY_LENGTH:
            # Stored beside every record they make, so bounded like any input (the platform's own are
            # bounded when the gateway registers them).
            raise Unauthorized(f"a sign-on's subject and client_id are at most {MAX_PARTY_LENGTH} characters")
        owner, client_id = f"{issuer.namespace}/{owner}", f"{issuer.namespace}/{client_id}"
    return Principal(
        client_id=client_id,
        owner=owner,
        scopes=scopes,
        issuer=issuer.issuer,
        token_id=str(claims["jti"]),
        claims=claims,
    )
