"""Choosing the active key, rotating, and the published key set."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.gateway.keys.models import SigningKey
from shared import jws


@dataclass(frozen=True)
class ActiveKey:
    """The key new tokens are signed with."""

    kid: str
    private: ec.EllipticCurvePrivateKey


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class KeyRing:
    """Signing keys with a small cache; a rotation elsewhere is seen within `refresh_seconds`."""

    def __init__(self, sessions: sessionmaker[Session], secret: str, token_ttl: int, leeway: int) -> None:
        self._sessions = sessions
        self._password = secret.encode()
        self._grace = timedelta(seconds=token_ttl + leeway)
        self._lock = threading.Lock()
        self._active: ActiveKey | None = None
        self._jwks: dict[str, Any] | None = None
        self._loaded_at = datetime.min.replace(tzinfo=UTC)

    def _load(self, session: Session) -> None:
        now = datetime.now(UTC)
        keys = session.execute(select(SigningKey).order_by(SigningKey.created_at.desc())).scalars().all()
        active = next((k for k in keys if k.retired_at is None), None)
        if active is None:
            active = self._create(session)
            keys = [active, *keys]
        published = [
            k for k in keys if k.retired_at is None or _aware(k.retired_at) + self._grace > now
        ]
        private = jws.load_private_pem(active.private_pem, self._password)
        self._active = ActiveKey(kid=active.kid, private=private)
        self._jwks = {
            "keys": [jws.public_jwk(jws.load_private_pem(k.private_pem, self._password)) for k in published]
        }
        self._loaded_at = now

    def _create(self, session: Session) -> SigningKey:
        private = jws.generate_key()
        key = SigningKey(
            kid=jws.public_jwk(private)["kid"],
            private_pem=jws.private_pem(private, self._password),
            created_at=datetime.now(UTC),
            retired_at=None,
        )
        session.add(key)
        session.flush()
        return key

    def _fresh(self) -> None:
        with self._lock:
            if self._active is None or datetime.now(UTC) - self._loaded_at > timedelta(seconds=10):
                with self._sessions() as session, session.begin():
                    self._load(session)

    def active(self) -> ActiveKey:
        """The current signing key (created on first use)."""
        self._fresh()
        assert self._active is not None
        return self._active

    def jwks(self) -> dict[str, Any]:
        """The published key set: the active key and retired keys whose tokens may still be valid."""
        self._fresh()
        assert self._jwks is not None
        return self._jwks

    def rotate(self) -> str:
        """Retire the active key and start signing with a new one; returns the new kid."""
        with self._lock, self._sessions() as session, session.begin():
            now = datetime.now(UTC)
            for key in session.execute(select(SigningKey).where(SigningKey.retired_at.is_(None))).scalars():
                key.retired_at = now
            new = self._create(session)
            self._load(session)
            return new.kid
