"""Settings every service builds on: read from the environment with the LINGTAN_ prefix, checked at start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("accounting", "registry", "certification", "disclosure")
DEFAULT_PORTS = {"gateway": 8000, "accounting": 8001, "registry": 8002, "certification": 8003, "disclosure": 8004}
DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class TrustedIssuer(BaseModel):
    """An external token issuer (a provincial app's sign-on) trusted by its JWKS."""

    issuer: str
    jwks_url: str
    audience: str = "{service}"  # per-service audiences: "{service}" becomes the service's name
    algorithms: list[str] = ["RS256", "ES256"]
    owner_claim: str = "sub"
    scope_claim: str = "scope"
    allowed_scopes: list[str] = ["registry:read", "registry:transfer", "registry:retire", "events:read"]


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
