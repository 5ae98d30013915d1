"""The log's signing key and the signer that turns tree heads into checkpoint notes.

Production reads the key from LINGTAN_REGISTRY_LOG_KEY (base64 of a 32-byte Ed25519 seed) and
never stores it. Development and test, where no key is configured, generate one on first start and
keep it in the registry's own table ``log_signing_keys`` as PKCS#8 PEM encrypted with
LINGTAN_SECRET_KEY, so checkpoints stay verifiable across restarts. The key name is the log's origin.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

from services.registry.identifiers import utc_now
from services.registry.log.models import LogSigningKey
from services.registry.settings import RegistrySettings
from services.registry.sql import insert_if_absent
from shared.transparency.checkpoint import sign_checkpoint, verifier_key

_KEY_ROW = 1


@dataclass(frozen=True)
class LogSigner:
    """Signs checkpoints of one log (its origin) with one Ed25519 key."""

    origin: str
    private_key: Ed25519PrivateKey

    @property
    def vkey(self) -> str:
        """The verifier key string auditors pin."""
        return verifier_key(self.origin, self.private_key.public_key())

    def sign(self, size: int, root: bytes, at: datetime) -> str:
        """The signed checkpoint note of a tree head."""
        return sign_checkpoint(self.origin, size, root, self.private_key, self.origin, at)


class SigningKeyError(RuntimeError):
    """The stored development key cannot be opened with the configured secret."""


def _stored_key(session: Session, password: bytes) -> Ed25519PrivateKey | None:
    pem = session.execute(select(LogSigningKey.private_pem).where(LogSigningKey.id == _KEY_ROW)).scalar()
    if pem is None:
        return None
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=password)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError("the stored log signing key does not open with LINGTAN_SECRET_KEY") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError("the stored log signing key is not an Ed25519 key")
    return key


def load_signer(settings: RegistrySettings, sessions: sessionmaker[Session]) -> LogSigner:
    """The configured key, else the stored development key (created on first use)."""
    origin = settings.registry_log_origin
    if settings.registry_log_key is not None:
        seed = base64.b64decode(settings.registry_log_key)
        return LogSigner(origin, Ed25519PrivateKey.from_private_bytes(seed))
    password = settings.secret_key.encode()
    with sessions() as session, session.begin():
        key = _stored_key(session, password)
        if key is None:
            fresh = Ed25519PrivateKey.generate()
            pem = fresh.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(password),
            ).decode()
            values = {"id": _KEY_ROW, "key_name": origin, "private_pem": pem, "created_at": utc_now()}
            insert_if_absent(session, cast(Table, LogSigningKey.__table__), values, ["id"])
            key = _stored_key(session, password)
    assert key is not None
    return LogSigner(origin, key)
