"""The whole platform running for real on loopback ports, each service with its own database."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from lingtan.platform import ALL, BuiltService, build, open_database
from lingtan.serve import free_port
from services.gateway.clients.service import create_client
from services.gateway.settings import GatewaySettings
from shared.settings import SERVICES


@dataclass
class Caller:
    """An OAuth client of the platform and a way to get its tokens."""

    client_id: str
    client_secret: str
    owner: str
    scopes: list[str]
    platform: RunningPlatform

    def token(self, scope: str | None = None) -> str:
        """A fresh access token from the gateway."""
        data = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret}
        if scope:
            data["scope"] = scope
        response = httpx.post(f"{self.platform.url}/oauth/token", data=data)
        response.raise_for_status()
        return str(response.json()["access_token"])

    def headers(self, scope: str | None = None) -> dict[str, str]:
        """Authorization headers with a fresh token."""
        return {"Authorization": f"Bearer {self.token(scope)}"}

    def client(self) -> httpx.Client:
        """An httpx client on the gateway that sends this caller's token."""
        return httpx.Client(base_url=self.platform.url, headers=self.headers(), timeout=30)


@dataclass
class RunningPlatform:
    """Gateway and services as uvicorn servers on one event loop in a background thread."""

    data_dir: Path
    database_url: str | None = None
    schema_prefix: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    built: dict[str, BuiltService] = field(default_factory=dict)
    servers: dict[str, uvicorn.Server] = field(default_factory=dict)
    tasks: dict[str, asyncio.Future[Any]] = field(default_factory=dict)
    settings: GatewaySettings | None = None
    loop: asyncio.AbstractEventLoop | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The gateway's base URL."""
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def service_url(self, service: str) -> str:
        """A service's own base URL (bypassing the gateway)."""
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self) -> RunningPlatform:
        """Build, migrate and start everything; returns once every server accepts connections."""
        self.ports = {name: free_port() for name in ALL}
        public = f"http://127.0.0.1:{self.ports['gateway']}"
        values: dict[str, Any] = {
            "env": "test",
            "data_dir": self.data_dir,
            "database_url": self.database_url,
            "schema_prefix": self.schema_prefix,
            "issuer": public,
            "public_url": public,
            "jwks_url": f"{public}/.well-known/jwks.json",
            "token_url": f"{public}/oauth/token",
            "secret_key": secrets.token_hex(16),
            "service_client_secret": secrets.token_hex(16),
            "outbox_poll_seconds": 0.05,
            "jwks_min_refresh_seconds": 1.0,
            # Every test calls from 127.0.0.1 and many fail authentication on purpose; the test of this
            # limit sets its own.
            "gateway_auth_failure_burst": 1_000_000,
            **{f"{s}_url": f"http://127.0.0.1:{self.ports[s]}" for s in SERVICES},
            **self.overrides,
        }
        self.settings = GatewaySettings(**values)
        for name in ALL:
            self.built[name] = build(name, self.settings)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        for name in ALL:
            self._start_server(name)
        return self

    def _start_server(self, name: str) -> None:
        assert self.loop is not None
        config = uvicorn.Config(
            self.built[name].app,
            host="127.0.0.1",
            port=self.ports[name],
            log_config=None,
            access_log=False,
            lifespan="on",
        )
        server = uvicorn.Server(config)
        self.servers[name] = server
        self.tasks[name] = asyncio.run_coroutine_threadsafe(server.serve(), self.loop)
        deadline = time.monotonic() + 30
        while not server.started:
            if self.tasks[name].done():
                self.tasks[name].result()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.02)

    def stop_service(self, name: str) -> None:
        """Stop one server (its database stays), as if its process went down."""
        self.servers[name].should_exit = True
        self.tasks[name].result(timeout=30)

    def start_service(self, name: str) -> None:
        """Start a stopped service again on the same port with a fresh app."""
        assert self.settings is not None
        self.built[name] = build(name, self.settings, self.built[name].database)
        self._start_server(name)

    def stop(self) -> None:
        """Stop every server and the loop; dispose of the databases."""
        for name in reversed(ALL):
            if name in self.servers and not self.tasks[name].done():
                self.stop_service(name)
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not None:
            self.thread.join(timeout=10)
        for service in self.built.values():
            service.database.dispose()

    def register(self, owner: str, scopes: str, name: str = "test client") -> Caller:
        """Register an OAuth client straight in the gateway's database (as `lingtan client create` does)."""
        database = self.built["gateway"].database
        with database.writes() as session, session.begin():
            new = create_client(session, name=name, owner=owner, scopes=scopes.split())
        return Caller(new.client_id, new.client_secret, owner, new.scopes, self)

    def database(self, service: str) -> Any:
        """A service's Database, for tests that look behind the application's back."""
        return self.built[service].database


def fresh_database(service: str, settings: GatewaySettings) -> Any:
    """A service database opened from settings (used by migration tests)."""
    return open_database(service, settings)
