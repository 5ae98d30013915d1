"""Choosing the active key, rotating, and the published key set.

A rotation publishes the next key at once but signs with it only after `activation_delay`, longer
than the verifiers' JWKS refetch interval: by the time a token carries the new kid, every verifier
can already have fetched it, so no valid token is refused during a rotation. The old key stays
published until the last token it signed has expired.
"""

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

    def __init__(
        self,
        sessions: sessionmaker[Session],
        secret: str,
        token_ttl: int,
        leeway: int,
        activation_delay: float = 0.0,
    ) -> None:
        self._sessions = sessions
        self._password = secret.encode()
        self._grace = timedelta(seconds=token_ttl + leeway)
        self._activation_delay = timedelta(seconds=activation_delay)
        self._next_change = datetime.max.replace(tzinfo=UTC)
        self._lock = threading.Lock()
        self._active: ActiveKey | None = None
        self._jwks: dict[str, Any] | None = None
        self._loaded_at = datetime.min.replace(tzinfo=UTC)

    def _load(self, session: Session) -> None:
        now = datetime.now(UTC)
        keys = session.execute(select(SigningKey).order_by(SigningKey.activates_at.desc())).scalars().all()
        active = next((k for k in keys if _aware(k.activates_at) <= now), None)
        if active is None:
            active = self._create(session, now)
            keys = [active, *keys]
        published = [k for k in keys if k.retired_at is None or _aware(k.retired_at) + self._grace > now]
        pending = [_aware(k.activates_at) for k in keys if _aware(k.activates_at) > now]
        self._next_change = min(pending, default=datetime.max.replace(tzinfo=UTC))
        private = jws.load_private_pem(active.private_pem, self._password)
        self._active = ActiveKey(kid=active.kid, private=private)
        self._jwks = {
            "keys": [jws.public_jwk(jws.load_private_pem(k.private_pem, self._password)) for k in published]
        }
        self._loaded_at = now

    def _create(self, session: Session, activates_at: datetime) -> SigningKey:
        private = jws.generate_key()
        key = SigningKey(
            kid=jws.public_jwk(private)["kid"],
            private_pem=jws.private_pem(private, self._password),
            created_at=datetime.now(UTC),
            activates_at=activates_at,
            retired_at=None,
        )
        session.add(key)
        session.flush()
        return key

    def _fresh(self) -> None:
        with self._lock:
            now = datetime.now(UTC)
            if self._active is None or now - self._loaded_at > timedelta(seconds=10) or now >= self._next_change:
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
        """Publish a new key now, sign with it after the activation delay, retire the others then."""
        with self._lock, self._sessions() as session, session.begin():
            switch_at = datetime.now(UTC) + self._activation_delay
            for key in session.execute(select(SigningKey).where(SigningKey.retired_at.is_(None))).scalars():
                key.retired_at = switch_at
            new = self._create(session, switch_at)
            self._load(session)
            return new.kid
