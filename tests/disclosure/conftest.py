"""A disclosure service of its own per test: migrated database, in-process app, injectable issuer keys."""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

from lingtan.platform import migrate, open_database
from services.disclosure.app import create_app
from shared.db.engine import Database
from shared.outbox import InboxAck, Notification, NotificationBatch
from shared.settings import PlatformSettings


class SyncClient:
    """httpx.AsyncClient on the ASGI app, driven from synchronous tests through an event loop thread."""

    def __init__(self, portal: BlockingPortal, app: FastAPI) -> None:
        self.portal = portal
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://disclosure.test")

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request, answered when the app has answered."""
        return self.portal.call(functools.partial(self.client.request, method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET."""
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        """Close the client."""
        self.portal.call(self.client.aclose)


@dataclass
class LocalDisclosure:
    """The disclosure app, a client on it, and the key set its certificate verification sees."""

    app: FastAPI
    client: SyncClient
    database: Database
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    issuer_reachable: bool = True
    jwks_fetches: int = 0

    def deliver(self, *notes: Notification) -> InboxAck:
        """Hand notifications to the service's inbox, as POST /v1/inbox does after checking the caller."""
        inbox = self.app.state.context.inbox
        return inbox.accept(NotificationBatch(notifications=list(notes)))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET on the service."""
        return self.client.get(path, **kwargs)


@pytest.fixture
def disclosure(tmp_path: Path, schema_prefix: str) -> Iterator[LocalDisclosure]:
    """A fresh disclosure service whose issuer JWKS comes from the test instead of the network."""
    settings = PlatformSettings(
        env="test",
        data_dir=tmp_path,
        database_url=os.environ.get("LINGTAN_TEST_DATABASE_URL"),
        schema_prefix=f"{schema_prefix}{secrets.token_hex(3)}_",
        secret_key=secrets.token_hex(16),
        certification_url="http://certification.invalid",
    )
    database = open_database("disclosure", settings)
    migrate("disclosure", database)
    holder: list[LocalDisclosure] = []

    async def fetch_jwks() -> dict[str, Any]:
        local = holder[0]
        local.jwks_fetches += 1
        if not local.issuer_reachable:
            raise httpx.ConnectError("certification is down")
        return local.jwks

    app = create_app(settings, database, certificate_keys=fetch_jwks)
    with start_blocking_portal() as portal:
        client = SyncClient(portal, app)
        holder.append(LocalDisclosure(app=app, client=client, database=database))
        yield holder[0]
        client.close()
    database.dispose()
