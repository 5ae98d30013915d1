"""Every service's FastAPI application is assembled the same way here: errors, auth, logs, metrics,
health, limits, and the outbox relay and inbox when the service has them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from shared.auth.dependencies import Authenticated, DeliverNotifications
from shared.auth.jwks import JwksFetcher
from shared.auth.scopes import service_client_id
from shared.auth.tokens import TokenVerifier
from shared.db.engine import Database
from shared.db.kernel_tables import KernelTables
from shared.idempotency import IdempotencyStore
from shared.limits import BodySizeLimitMiddleware
from shared.logs import RequestContextMiddleware
from shared.metrics import MetricsMiddleware, ServiceMetrics
from shared.outbox import Applier, Inbox, InboxAck, NotificationBatch, Outbox, Relay
from shared.problems import Forbidden, ServiceUnavailable, install_problem_handlers, problem_response
from shared.service_client import ServiceClient
from shared.settings import PlatformSettings
from shared.tracing import TracingMiddleware, configure_tracing


@dataclass
class ServiceContext:
    """What a running service holds: settings, database, kernel tables and its outbox."""

    name: str
    settings: PlatformSettings
    database: Database
    kernel: KernelTables
    outbox: Outbox
    idempotency: IdempotencyStore
    client: ServiceClient
    metrics: ServiceMetrics
    relay: Relay | None = None
    inbox: Inbox | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def _inbox_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(tags=["internal"])
    @router.post("/v1/inbox", response_model=InboxAck, summary="Receive notifications from another service")
    def receive(batch: NotificationBatch, caller: DeliverNotifications) -> InboxAck:
        for note in batch.notifications:
            if caller.client_id != service_client_id(note.source):
                raise Forbidden("A service may only deliver its own notifications.")
        assert context.inbox is not None
        return context.inbox.accept(batch)

    return router


def _health_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Liveness: the process answers")
    def health() -> dict[str, str]:
        return {"status": "ok", "service": context.name}

    @router.get("/v1/whoami", tags=["auth"], summary="The caller as this service sees its token")
    async def whoami(caller: Authenticated) -> dict[str, Any]:
        return {
            "client_id": caller.client_id,
            "owner": caller.owner,
            "scopes": sorted(caller.scopes),
            "issuer": caller.issuer,
            "service": context.name,
        }

    @router.get("/health/ready", summary="Readiness: the database answers; outbox and inbox lag")
    def ready() -> JSONResponse:
        try:
            with context.database.reads() as session:
                session.execute(text("SELECT 1"))
            detail: dict[str, Any] = {"status": "ok", "service": context.name, "database": "ok"}
            if context.relay is not None:
                detail["outbox"] = context.relay.lag()
            if context.inbox is not None:
                detail["inbox"] = context.inbox.last_received()
        except Exception:  # noqa: BLE001 - any database failure means "not ready"
            return problem_response(ServiceUnavailable(f"{context.name} cannot reach its database."))
        return JSONResponse(detail)

    return router


def build_context(
    name: str,
    settings: PlatformSettings,
    database: Database,
    kernel: KernelTables,
    outbox_routes: dict[str, tuple[str, ...]],
    client: ServiceClient | None = None,
) -> ServiceContext:
    """Wire a service's kernel pieces together."""
    context = ServiceContext(
        name=name,
        settings=settings,
        database=database,
        kernel=kernel,
        outbox=Outbox(name, kernel, outbox_routes),
        idempotency=IdempotencyStore(kernel.idempotency),
        client=client or ServiceClient(settings, name),
        metrics=ServiceMetrics(name),
    )
    if outbox_routes:

        def send(receiver: str, batch: NotificationBatch) -> InboxAck:
            response = context.client.request("POST", receiver, "/v1/inbox", json=batch.model_dump(mode="json"))
            response.raise_for_status()
            return InboxAck.model_validate(response.json())

        context.relay = Relay(context.outbox, database, send, settings.outbox_poll_seconds)
        relay = context.relay

        def refresh_outbox() -> None:
            lag = relay.lag()
            for receiver in {r for rs in outbox_routes.values() for r in rs}:
                pending = lag.get(receiver, {"pending": 0, "oldest_seconds": 0.0})
                context.metrics.outbox_pending.labels(name, receiver).set(pending["pending"])
                context.metrics.outbox_oldest.labels(name, receiver).set(pending["oldest_seconds"])

        context.metrics.refreshers.append(refresh_outbox)
    return context


def create_service_app(
    context: ServiceContext,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    inbox_apply: Applier | None = None,
    platform_keys: JwksFetcher | None = None,
    on_startup: Callable[[ServiceContext], None] | None = None,
    on_shutdown: Callable[[ServiceContext], Awaitable[None]] | None = None,
) -> FastAPI:
    """A service's FastAPI app with the kernel installed around its feature routers."""
    if inbox_apply is not None:
        context.inbox = Inbox(context.kernel, context.database, inbox_apply)
    configure_tracing()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup(context)
        task = asyncio.create_task(context.relay.run()) if context.relay is not None else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if on_shutdown is not None:
                await on_shutdown(context)
            context.client.close()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.state.context = context
    app.state.verifier = TokenVerifier(context.settings, context.name, platform_keys)
    install_problem_handlers(app)
    _add_routes(app, _health_router(context))
    if context.inbox is not None:
        _add_routes(app, _inbox_router(context))
    for router in routers:
        _add_routes(app, router)
    app.add_api_route("/metrics", context.metrics.render, include_in_schema=False)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=context.metrics)
    app.add_middleware(RequestContextMiddleware, service=context.name)
    app.add_middleware(TracingMiddleware, service=context.name)
    return app


def _add_routes(app: FastAPI, router: APIRouter) -> None:
    """Put a feature router's routes on the app itself, as ``include_router`` without options would.

    FastAPI's ``include_router`` keeps each router as a nested group that every request walks and
    matches twice (to find the route, then again to run it): about half of a small request's time in
    the framework, measured. The routers carry their own prefixes and set nothing that an include
    adds, so their routes serve unchanged at the app's top level.
    """
    app.router.routes.extend(router.routes)


def service_context(request: Request) -> ServiceContext:
    """The running service's context, for endpoints."""
    context: ServiceContext = request.app.state.context
    return context
