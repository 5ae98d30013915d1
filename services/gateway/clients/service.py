"""Registering clients and checking their secrets.

Secrets are 256-bit random strings made here, so a salted SHA-256 is enough to store them: slow
password hashes defend low-entropy secrets, and would only slow every token request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.gateway.clients.models import Client
from shared.auth.scopes import ALL_SCOPES
from shared.problems import Conflict, InvalidInput

_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._@-]{0,199}$")


@dataclass(frozen=True)
class NewClient:
    """A just-created client with its secret (the only time the secret exists in clear)."""

    client_id: str
    client_secret: str
    name: str
    owner: str
    scopes: list[str]


def hash_secret(secret: str, salt: str) -> str:
    """The stored form of a client secret."""
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def check_scopes(scopes: list[str]) -> list[str]:
    """Refuse unknown scopes, so a typo never silently grants nothing."""
    unknown = sorted(set(scopes) - ALL_SCOPES)
    if unknown:
        raise InvalidInput(f"Unknown scope(s): {' '.join(unknown)}.", known=sorted(ALL_SCOPES))
    return sorted(set(scopes))


def create_client(
    session: Session,
    *,
    name: str,
    owner: str,
    scopes: list[str],
    client_id: str | None = None,
    client_secret: str | None = None,
) -> NewClient:
    """Register a client; its secret is returned once and stored only as a salted hash."""
    if not name or len(name) > 200:
        raise InvalidInput("name must be 1-200 characters")
    if not _OWNER.match(owner):
        raise InvalidInput("owner must be 1-200 characters of letters, digits and : . _ @ -")
    scopes = check_scopes(scopes)
    client_id = client_id or f"lt_{secrets.token_hex(10)}"
    if session.get(Client, client_id) is not None:
        raise Conflict(f"Client {client_id} already exists.")
    secret = client_secret or secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    session.add(
        Client(
            client_id=client_id,
            name=name,
            owner=owner,
            scopes=" ".join(scopes),
            secret_salt=salt,
            secret_hash=hash_secret(secret, salt),
            created_at=datetime.now(UTC),
            disabled=False,
        )
    )
    session.flush()
    return NewClient(client_id=client_id, client_secret=secret, name=name, owner=owner, scopes=scopes)


def ensure_client(session: Session, *, client_id: str, name: str, owner: str, scopes: list[str], secret: str) -> None:
    """Create or refresh a client whose secret is known in advance (the services' own clients)."""
    existing = session.get(Client, client_id)
    if existing is None:
        create_client(session, name=name, owner=owner, scopes=scopes, client_id=client_id, client_secret=secret)
        return
    existing.scopes = " ".join(check_scopes(scopes))
    existing.owner = owner
    if not hmac.compare_digest(existing.secret_hash, hash_secret(secret, existing.secret_salt)):
        existing.secret_hash = hash_secret(secret, existing.secret_salt)


def authenticate(session: Session, client_id: str, secret: str) -> Client | None:
    """The client if the id exists, is enabled and the secret matches; None otherwise."""
    client = session.execute(select(Client).where(Client.client_id == client_id)).scalar_one_or_none()
    if client is None or client.disabled:
        # Compare anyway so an unknown id costs the same time as a wrong secret.
        hmac.compare_digest(hash_secret(secret, "x" * 32), "0" * 64)
        return None
    if not hmac.compare_digest(client.secret_hash, hash_secret(secret, client.secret_salt)):
        return None
    return client
