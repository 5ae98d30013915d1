"""OpenTelemetry tracing across the gateway and the services: off unless an exporter is configured.

A server span per request continues the caller's W3C `traceparent`; the gateway's proxy and the
service-to-service client pass it on, so one trace follows a request from the gateway through
every service it touches. `LINGTAN_TRACE_EXPORTER` chooses where spans go: `none` (default),
`console`, or `otlp` (needs the `opentelemetry-exporter-otlp-proto-http` package and the standard
`OTEL_EXPORTER_OTLP_*` variables).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_configured = False


def configure_tracing(exporter: str | None = None, exporter_instance: SpanExporter | None = None) -> None:
    """Install a tracer provider once per process when an exporter is chosen."""
    global _configured
    choice = exporter or os.environ.get("LINGTAN_TRACE_EXPORTER", "none")
    if _configured or (choice == "none" and exporter_instance is None):
        return
    provider = TracerProvider(resource=Resource.create({"service.name": "lingtan"}))
    if exporter_instance is not None:
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor

        provider.add_span_processor(SimpleSpanProcessor(exporter_instance))
    elif choice == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif choice == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        raise ValueError(f"unknown LINGTAN_TRACE_EXPORTER {choice!r}: use none, console or otlp")
    trace.set_tracer_provider(provider)
    _configured = True


def inject_headers(headers: MutableMapping[str, str]) -> None:
    """Add the current trace context (traceparent) to outgoing headers."""
    propagate.inject(headers)


def _carries_trace(scope: Scope) -> bool:
    return any(name in (b"traceparent", b"baggage") for name, _ in scope["headers"])


class TracingMiddleware:
    """Pure ASGI: one server span per request, continuing the caller's trace."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self.tracer = trace.get_tracer(f"lingtan.{service}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (_configured or _carries_trace(scope)):
            # Nothing records spans and no caller's trace is to be passed on: a span would be thrown away.
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        parent = propagate.extract(carrier)
        name = f"{self.service} {scope['method']} {scope['path']}"
        token = context.attach(parent)
        try:
            with self.tracer.start_as_current_span(name, kind=SpanKind.SERVER) as span:
                span.set_attribute("lingtan.service", self.service)
                span.set_attribute("http.request.method", scope["method"])
                span.set_attribute("url.path", scope["path"])

                async def send_with_status(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        status: Any = message["status"]
                        span.set_attribute("http.response.status_code", status)
                        if status >= 500:
                            span.set_status(Status(StatusCode.ERROR))
                    await send(message)

                await self.app(scope, receive, send_with_status)
        finally:
            context.detach(token)
