"""Settings every service builds on: read from the environment with the LINGTAN_ prefix, checked at start."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("accounting", "registry", "certification", "disclosure")
DEFAULT_PORTS = {"gateway": 8000, "accounting": 8001, "registry": 8002, "certification": 8003, "disclosure": 8004}
DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development
ISSUER_ALIAS = re.compile(r"[a-z][a-z0-9-]{0,31}")  # matched whole: ^[a-z][a-z0-9-]{0,31}$


class TrustedIssuer(BaseModel):
    """An external token issuer (a provincial app's sign-on) trusted by its JWKS.

    Its tokens act for owners in its own namespace, `<alias>/<the owner claim>`, and name their client
    as `<alias>/<client_id>`: a platform client's owner and id never contain `/`, so no such token can
    act for a platform owner, as a platform client, or for another issuer's subject.
    """

    issuer: str
    alias: str
    jwks_url: str
    audience: str = "{service}"  # per-service audiences: "{service}" becomes the service's name
    algorithms: list[str] = ["RS256", "ES256"]
    owner_claim: str = "sub"
    scope_claim: str = "scope"
    allowed_scopes: list[str] = ["registry:read", "registry:transfer", "registry:retire", "events:read"]

    @model_validator(mode="before")
    @classmethod
    def _alias_names_a_namespace(cls, data: object) -> object:
        # Checked before the fields so that the message names the issuer it is about.
        if isinstance(data, dict):
            issuer, alias = data.get("issuer"), data.get("alias")
            if not isinstance(alias, str) or not ISSUER_ALIAS.fullmatch(alias):
                raise ValueError(
                    f"trusted issuer {issuer!r} needs an alias of 1-32 lowercase letters, digits and '-', starting "
                    f"with a letter (its tokens act for owners '<alias>/<sub>'); got {alias!r}"
                )
        return data


class PlatformSettings(BaseSettings):
    """What every service and the gateway read: where the others are, who issues tokens, secrets."""

    model_config = SettingsConfigDict(env_prefix="LINGTAN_", extra="ignore", frozen=True)

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str | None = None
    # PostgreSQL connections a service keeps open. A request holds one only for its transaction, but
    # every concurrent request needs its own: a pool smaller than the concurrency closes and reopens
    # connections at every burst, which costs more than the statements (a new server process each).
    database_pool_size: int = Field(default=20, ge=1, le=500)
    schema_prefix: str = ""
    issuer: str = "http://127.0.0.1:8000"
    jwks_url: str = "http://127.0.0.1:8000/.well-known/jwks.json"
    token_url: str = "http://127.0.0.1:8000/oauth/token"
    accounting_url: str = "http://127.0.0.1:8001"
    registry_url: str = "http://127.0.0.1:8002"
    certification_url: str = "http://127.0.0.1:8003"
    disclosure_url: str = "http://127.0.0.1:8004"
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str = DEVELOPMENT_SECRET
    service_client_secret: str = DEVELOPMENT_SECRET
    trusted_issuers: list[TrustedIssuer] = Field(default_factory=list)
    jwks_min_refresh_seconds: float = 30.0
    clock_leeway_seconds: int = 30
    outbox_poll_seconds: float = 0.5
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> PlatformSettings:
        if self.env == "production" and DEVELOPMENT_SECRET in (self.secret_key, self.service_client_secret):
            raise ValueError("LINGTAN_SECRET_KEY and LINGTAN_SERVICE_CLIENT_SECRET must be set in production")
        return self

    @model_validator(mode="after")
    def _trusted_issuers_apart(self) -> PlatformSettings:
        seen: dict[str, str] = {}
        names = {self.issuer}
        for trusted in self.trusted_issuers:
            if trusted.issuer in names:
                raise ValueError(f"trusted issuer {trusted.issuer!r} is listed twice or is the platform's own issuer")
            names.add(trusted.issuer)
            if trusted.alias in seen:
                raise ValueError(
                    f"trusted issuer {trusted.issuer!r} has the alias {trusted.alias!r} of {seen[trusted.alias]!r}: "
                    "each issuer needs its own, since the alias is the namespace of its owners"
                )
            seen[trusted.alias] = trusted.issuer
        return self

    def service_url(self, service: str) -> str:
        """The base URL a service is reached at, for service-to-service calls."""
        return str(getattr(self, f"{service}_url"))

    def audience(self, service: str) -> str:
        """The `aud` value of tokens meant for one service (an RFC 8707 resource indicator)."""
        return f"{self.issuer.rstrip('/')}/{service}"

    def database_url_for(self, service: str, env: dict[str, str]) -> str:
        """One URL per service: its own variable, else the shared URL (own schema), else its own SQLite file."""
        own = env.get(f"LINGTAN_{service.upper()}_DATABASE_URL")
        if own:
            return own
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / (service + '.db')}"

    def dumps_public(self) -> str:
        """Settings as JSON with every secret masked, for start-up logs."""
        data = self.model_dump(mode="json")
        for name in ("secret_key", "service_client_secret"):
            data[name] = "***"
        return json.dumps(data)
