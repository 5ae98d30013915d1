"""The gateway application: token server, key set, administration, and the routes to the services."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.gateway.clients import api as clients_api
from services.gateway.clients.service import ensure_client
from services.gateway.keys.service import KeyRing
from services.gateway.oauth import api as oauth_api
from services.gateway.routing.connections import ConnectionPool
from services.gateway.routing.proxy import ServiceRouterMiddleware
from services.gateway.routing.ratelimit import RateLimiter
from services.gateway.settings import GatewaySettings
from shared.auth.scopes import SERVICE_CLIENT_SCOPES, service_client_id, service_client_secret
from shared.auth.tokens import TokenVerifier
from shared.db.engine import Database
from shared.db.transactions import run_in_transaction
from shared.limits import AuthorizationSizeLimitMiddleware, BodySizeLimitMiddleware
from shared.logs import RequestContextMiddleware
from shared.metrics import MetricsMiddleware, ServiceMetrics
from shared.problems import ServiceUnavailable, install_problem_handlers, problem_response
from shared.settings import SERVICES
from shared.tracing import TracingMiddleware, configure_tracing


@dataclass
class Gateway:
    """What the running gateway holds."""

    settings: GatewaySettings
    database: Database
    keys: KeyRing
    limiter: RateLimiter
    auth_failures: RateLimiter
    verifier: TokenVerifier
    upstreams: dict[str, ConnectionPool] = field(default_factory=dict)


def provision_service_clients(database: Database, settings: GatewaySettings) -> None:
    """Make sure each service's own client exists with the secret derived from the platform secret."""

    def provision(session: Session) -> None:
        for service in SERVICES:
            ensure_client(
                session,
                client_id=service_client_id(service),
                name=f"{service} service",
                owner=f"lingtan:{service}",
                scopes=SERVICE_CLIENT_SCOPES[service].split(),
                secret=service_client_secret(service, settings.service_client_secret),
            )

    # Several gateway workers start at once: the one that loses the insert race retries and finds
    # the clients already there.
    run_in_transaction(database.writes, provision, retry_integrity=True)


def create_app(settings: GatewaySettings, database: Database) -> FastAPI:
    """The gateway app."""
    keys = KeyRing(
        database.writes,
        settings.secret_key,
        settings.gateway_token_ttl_seconds,
        settings.clock_leeway_seconds,
        activation_delay=2 * settings.jwks_min_refresh_seconds,
    )

    async def local_jwks() -> dict[str, Any]:
        return await anyio.to_thread.run_sync(keys.jwks)

    gateway = Gateway(
        settings=settings,
        database=database,
        keys=keys,
        limiter=RateLimiter(settings.gateway_rate_per_second, settings.gateway_rate_burst),
        auth_failures=RateLimiter(settings.gateway_auth_failures_per_second, settings.gateway_auth_failure_burst),
        verifier=TokenVerifier(settings, "gateway", platform_keys=local_jwks),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(provision_service_clients, database, settings)
        for service in SERVICES:
            gateway.upstreams[service] = ConnectionPool(
                settings.service_url(service),
                timeout=settings.gateway_upstream_timeout_seconds,
                connect_timeout=settings.gateway_upstream_connect_timeout_seconds,
            )
        try:
            yield
        finally:
            for upstream in gateway.upstreams.values():
                await upstream.aclose()

    app = FastAPI(
        title="Lingtan gateway",
        description="OAuth 2.0 client-credentials token server and the single origin for every Lingtan service.",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    app.state.verifier = gateway.verifier
    metrics = ServiceMetrics("gateway")
    install_problem_handlers(app)
    app.include_router(oauth_api.router)
    app.include_router(clients_api.router)

    @app.get("/health", tags=["health"], summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok", "service": "gateway"}

    @app.get("/health/ready", tags=["health"], summary="Readiness: the database answers and a signing key exists")
    def ready() -> JSONResponse:
        try:
            keys.active()
        except Exception:  # noqa: BLE001 - any database failure means "not ready"
            return problem_response(ServiceUnavailable("The gateway cannot reach its database."))
        return JSONResponse({"status": "ok", "service": "gateway", "database": "ok"})

    app.add_api_route("/metrics", metrics.render, include_in_schema=False)

    app.add_middleware(ServiceRouterMiddleware, gateway=gateway, services=SERVICES)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.gateway_max_body_bytes)
    # Outside everything that reads the Authorization field (the proxy's token check, /oauth/token's Basic
    # credentials, /admin's bearer): an oversized one costs its length and nothing more.
    app.add_middleware(AuthorizationSizeLimitMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestContextMiddleware, service="gateway")
    app.add_middleware(TracingMiddleware, service="gateway")
    configure_tracing()
    return app
