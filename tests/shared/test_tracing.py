"""One trace follows a request from the gateway into the service it reaches."""

import time

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

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
