"""The certification service's own settings on top of the platform's: the issuer key and the log key to trust.

- ``LINGTAN_CERTIFICATION_ISSUER_KEY``: the certificate issuer's ECDSA P-256 private key as PEM (PKCS#8 or
  SEC1). Production must set it. In development and test, where it is not set, the service generates a
  key on first use and keeps it in its own database (table ``issuer_keys``), encrypted with
  LINGTAN_SECRET_KEY, so certificates stay verifiable across restarts. Every key ever used stays
  published in the JWK Set, so certificates signed before a key change still verify.
- ``LINGTAN_CERTIFICATION_ISSUER_NAME``: the issuer named on certificates of jurisdictions whose policy
  profile names no certificate issuer (Shandong's guidance names none).
- ``LINGTAN_CERTIFICATION_REGISTRY_VKEY``: the registry log's verifier key, pinned. When set, the service
  checks retirement proofs and checkpoints against it and refuses a registry that presents another key.
  When unset, it uses the key the registry publishes (``GET /registry/v1/log/public-key``).
"""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from services.certification.certificates.credential import IssuerKeyError, load_issuer_key
from shared.settings import PlatformSettings
from shared.transparency.checkpoint import CheckpointError, parse_verifier_key

DEFAULT_ISSUER_NAME = "零碳平台 Lingtan platform"


class CertificationSettings(PlatformSettings):
    """PlatformSettings plus the LINGTAN_CERTIFICATION_* settings described in the module docstring."""

    model_config = SettingsConfigDict(env_prefix="LINGTAN_", extra="ignore", frozen=True)

    certification_issuer_key: str | None = None
    certification_issuer_name: str = DEFAULT_ISSUER_NAME
    certification_registry_vkey: str | None = None

    @model_validator(mode="after")
    def _keys_are_usable(self) -> CertificationSettings:
        if self.certification_issuer_key is None:
            if self.env == "production":
                raise ValueError("LINGTAN_CERTIFICATION_ISSUER_KEY (a P-256 key, PEM) must be set in production")
        else:
            try:
                load_issuer_key(self.certification_issuer_key.encode())
            except IssuerKeyError as exc:
                raise ValueError(f"LINGTAN_CERTIFICATION_ISSUER_KEY: {exc}") from exc
        if self.certification_registry_vkey is not None:
            try:
                parse_verifier_key(self.certification_registry_vkey)
            except CheckpointError as exc:
                raise ValueError(f"LINGTAN_CERTIFICATION_REGISTRY_VKEY: {exc}") from exc
        if not self.certification_issuer_name.strip():
            raise ValueError("LINGTAN_CERTIFICATION_ISSUER_NAME must not be empty")
        return self

    @classmethod
    def extending(cls, settings: PlatformSettings) -> CertificationSettings:
        """The platform's settings as given, plus the certification settings from the environment."""
        if isinstance(settings, CertificationSettings):
            return settings
        return cls(**settings.model_dump())
