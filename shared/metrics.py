"""Prometheus metrics per service: requests, latency and errors, plus whatever a service adds."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServiceMetrics:
    """A registry of its own per app, so several services can share one process."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lingtan_http_requests", "HTTP requests", ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lingtan_http_request_seconds", "HTTP request latency", ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )

        self.outbox_pending = Gauge(
            "lingtan_outbox_pending", "Notifications not yet acknowledged, by receiver", ["service", "receiver"],
            registry=self.registry,
        )
        self.outbox_oldest = Gauge(
            "lingtan_outbox_oldest_pending_seconds", "Age of the oldest unacknowledged notification",
            ["service", "receiver"], registry=self.registry,
        )
        # Gauges read from the database when scraped, so every process reports the same truth.
        self.refreshers: list[Callable[[], None]] = []

    def gauge(self, name: str, documentation: str) -> Gauge:
        """A service-specific gauge on this registry (labelled with the service)."""
        return Gauge(name, documentation, ["service"], registry=self.registry)

    def render(self, _request: Request) -> Response:
        """The /metrics endpoint."""
        for refresh in self.refreshers:
            refresh()
        return Response(generate_latest(self.registry), media_type="text/plain; version=0.0.4")


class MetricsMiddleware:
    """Pure ASGI middleware recording every request by its route template (never the raw path)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    def _route(self, scope: Scope) -> str:
        if label := scope.get("lingtan.route"):
            return str(label)
        # The router leaves the route it matched in the scope; only unmatched paths are looked up.
        if (matched := scope.get("route")) is not None and isinstance(path := getattr(matched, "path", None), str):
            return path
        router = scope.get("app")
        for route in getattr(getattr(router, "router", None), "routes", []):
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return str(getattr(route, "path", "other"))
        return "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = self._route(scope)
            labels = (self.metrics.service, scope["method"], route)
            self.metrics.requests.labels(*labels, str(status)).inc()
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - started)
