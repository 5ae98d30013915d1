"""One trace follows a request from the gateway into the service it reaches."""

import asyncio
import time

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import tracing
from shared.tracing import configure_tracing


def test_gateway_and_service_spans_share_one_trace(fresh_platform):
    exporter = InMemorySpanExporter()
    configure_tracing(exporter_instance=exporter)
    caller = fresh_platform.register("org:traced", "registry:read")
    response = httpx.get(f"{fresh_platform.url}/registry/v1/whoami", headers=caller.headers())
    assert response.status_code == 200
    # The gateway's span ends just after its response is sent: wait for it rather than race it.
    deadline = time.monotonic() + 10
    while True:
        spans = {s.attributes.get("lingtan.service"): s for s in exporter.get_finished_spans()
                 if s.attributes.get("url.path", "").endswith("/v1/whoami")}
        if {"gateway", "registry"} <= set(spans) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    gateway, registry = spans["gateway"], spans["registry"]
    assert registry.context.trace_id == gateway.context.trace_id
    assert registry.parent is not None and registry.parent.span_id == gateway.context.span_id


def _passed_on(monkeypatch, headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """What a service would pass on to the next one, with no exporter configured in this process."""
    monkeypatch.setattr(tracing, "_configured", False)
    outgoing: dict[str, str] = {}

    async def app(scope, receive, send):
        tracing.inject_headers(outgoing)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    scope = {"type": "http", "method": "GET", "path": "/v1/whoami", "headers": headers}
    asyncio.run(tracing.TracingMiddleware(app, service="registry")(scope, receive, send))
    return outgoing


def test_without_an_exporter_a_callers_trace_is_still_passed_on(monkeypatch):
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    outgoing = _passed_on(monkeypatch, [(b"traceparent", parent.encode())])
    assert outgoing["traceparent"].split("-")[1] == "0af7651916cd43dd8448eb211c80319c"


def test_without_an_exporter_or_a_callers_trace_nothing_is_passed_on(monkeypatch):
    assert "traceparent" not in _passed_on(monkeypatch, [(b"accept", b"*/*")])
