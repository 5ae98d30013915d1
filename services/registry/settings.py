"""The registry's own settings on top of the platform's: the log's origin and its signing key."""

from __future__ import annotations

import base64
import binascii

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import PlatformSettings

DEFAULT_LOG_ORIGIN = "lingtan.org/registry"


class RegistrySettings(PlatformSettings):
    """PlatformSettings plus LINGTAN_REGISTRY_LOG_ORIGIN and LINGTAN_REGISTRY_LOG_KEY.

    ``registry_log_key`` is the base64 of a 32-byte Ed25519 seed. Production must set it; in
    development and test the registry generates a key once and keeps it in its own database,
    encrypted with LINGTAN_SECRET_KEY (see services/registry/log/keys.py).
    """

    model_config = SettingsConfigDict(env_prefix="LINGTAN_", extra="ignore", frozen=True)

    registry_log_origin: str = DEFAULT_LOG_ORIGIN
    registry_log_key: str | None = None

    @model_validator(mode="after")
    def _log_key_is_a_seed(self) -> RegistrySettings:
        origin = self.registry_log_origin
        if not origin or any(c.isspace() or c == "+" for c in origin):
            raise ValueError("LINGTAN_REGISTRY_LOG_ORIGIN must be non-empty, without spaces or '+'")
        if self.registry_log_key is None:
            if self.env == "production":
                raise ValueError(
                    "LINGTAN_REGISTRY_LOG_KEY (base64 of a 32-byte Ed25519 seed) must be set in production"
                )
            return self
        try:
            seed = base64.b64decode(self.registry_log_key, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("LINGTAN_REGISTRY_LOG_KEY must be standard base64") from exc
        if len(seed) != 32:
            raise ValueError("LINGTAN_REGISTRY_LOG_KEY must decode to a 32-byte Ed25519 seed")
        return self
