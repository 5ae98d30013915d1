"""Gateway settings: token lifetime, limits, and how long to wait for the services."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import PlatformSettings


class GatewaySettings(PlatformSettings):
    """Everything in PlatformSettings plus the gateway's own knobs (LINGTAN_GATEWAY_*)."""

    model_config = SettingsConfigDict(env_prefix="LINGTAN_", extra="ignore", frozen=True)

    gateway_token_ttl_seconds: int = 900
    gateway_rate_per_second: float = 200.0
    gateway_rate_burst: int = 1000
    # Failed client authentications at the token endpoint, per socket address: a burst for a
    # misconfigured integration, then one a minute, so secrets cannot be guessed at speed.
    gateway_auth_failure_burst: int = 20
    gateway_auth_failures_per_second: float = 1 / 60
    # Inventories of up to 20,000 activity lines are the largest bodies; services bound each route again.
    gateway_max_body_bytes: int = 16 * 1024 * 1024
    gateway_upstream_timeout_seconds: float = 30.0
    gateway_upstream_connect_timeout_seconds: float = 3.0
