"""The platform's scopes, which service each is meant for, and the services' own clients."""

from __future__ import annotations

import hashlib
import hmac

SCOPE_AUDIENCES: dict[str, tuple[str, ...]] = {
    "events:read": ("accounting",),
    "events:write": ("accounting",),
    "registry:read": ("registry",),
    "registry:transfer": ("registry",),
    "registry:retire": ("registry",),
    "registry:issue": ("registry",),
    "registry:admin": ("registry",),
    # The regulator decides and voids external claims; third-party evaluators decide the claims of the
    # events whose owners engaged them.
    "registry:supervise": ("registry",),
    "registry:evaluate": ("registry",),
    "certification:apply": ("certification",),
    "certification:verify": ("certification",),
    "certification:issue": ("certification",),
    "audit:write": ("certification",),
    "policy:write": ("disclosure",),
    "admin": ("gateway",),
    # Services tell each other what changed; only their own clients hold this.
    "notifications:deliver": ("accounting", "registry", "certification", "disclosure"),
}
ALL_SCOPES = frozenset(SCOPE_AUDIENCES)

SERVICE_CLIENT_SCOPES: dict[str, str] = {
    "accounting": "notifications:deliver",
    "registry": "notifications:deliver",
    "certification": "notifications:deliver events:read registry:read",
    "disclosure": "notifications:deliver",
}


def service_client_id(service: str) -> str:
    """The OAuth client a service uses to call the others."""
    return f"service-{service}"


def service_client_secret(service: str, platform_secret: str) -> str:
    """Each service's client secret, derived from the platform secret so one setting provisions all."""
    return hmac.new(platform_secret.encode(), f"service-client:{service}".encode(), hashlib.sha256).hexdigest()


def audiences_for(scopes: set[str] | frozenset[str]) -> list[str]:
    """The services a token with these scopes may be presented to."""
    found: list[str] = []
    for scope in sorted(scopes):
        for service in SCOPE_AUDIENCES.get(scope, ()):
            if service not in found:
                found.append(service)
    return found
