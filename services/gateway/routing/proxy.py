"""The reverse proxy: one pooled httpx client per service, timeouts, hop-by-hop headers stripped."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.routing.upstreams import Upstream
from shared.auth.tokens import Principal
from shared.logs import current_request_id
from shared.problems import (
    BadGateway,
    GatewayTimeout,
    NotFound,
    Problem,
    TooManyRequests,
    Unauthorized,
    problem_response,
)
from shared.settings import SERVICES
from shared.tracing import inject_headers

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "x-request-id",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-forwarded-prefix",
    }
)


TRACE_HEADERS = frozenset({"traceparent", "tracestate"})


def _strip(headers: httpx.Headers | list[tuple[str, str]], extra: set[str]) -> list[tuple[str, str]]:
    items = headers.multi_items() if isinstance(headers, httpx.Headers) else headers
    return [(k, v) for k, v in items if k.lower() not in HOP_BY_HOP and k.lower() not in extra]


def _connection_tokens(value: str | None) -> set[str]:
    # Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    return {token.strip().lower() for token in (value or "").split(",") if token.strip()}


async def _caller(gateway: Any, request: Request, service: str) -> tuple[Principal | None, bool]:
    """The verified caller, and whether its token is meant for `service` (and so may be passed on)."""
    header = request.headers.get("authorization")
    if not header:
        return None, False
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization must be a Bearer token.")
    token = token.strip()
    try:
        return await gateway.verifier.verify(token, service), True
    except Unauthorized:
        # A genuine token meant for another service still names its client (for the rate limit), but
        # is never passed on: public routes answer as for anyone, protected ones ask for a token.
        for audience in ("gateway", *SERVICES):
            if audience != service:
                with contextlib.suppress(Unauthorized):
                    return await gateway.verifier.verify(token, audience), False
        raise


class ServiceRouterMiddleware:
    """Pure ASGI: `/{service}/**` goes straight to the proxy, skipping the framework's routing and
    dependency machinery that the gateway's own endpoints need and a pass-through does not."""

    def __init__(self, app: ASGIApp, gateway: Any, services: tuple[str, ...]) -> None:
        self.app = app
        self.gateway = gateway
        self.services = frozenset(services)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            service, _, rest = scope["path"][1:].partition("/")
            if service in self.services:
                scope["lingtan.route"] = f"/{service}/**"
                request = Request(scope, receive)
                try:
                    response = await forward(self.gateway, request, service, rest)
                except Problem as problem:
                    response = problem_response(problem, scope["path"])
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


async def _send(
    upstream: Upstream, service: str, method: str, url: httpx.URL, body: bytes, headers: list[tuple[str, str]]
) -> httpx.Response:
    """Send once; retry once where that cannot do a thing twice (never connected, or a repeatable request)."""
    retry_allowed = method in SAFE_METHODS or any(k.lower() == "idempotency-key" for k, _ in headers)
    for attempt in (1, 2):
        try:
            return await upstream.client().request(method, url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout) and attempt == 1:
                continue
            raise GatewayTimeout(f"{service} did not answer in time.") from exc
        except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
            # A pooled connection the service closed surfaces here; a request never read can go again.
            if attempt == 1 and (isinstance(exc, httpx.ConnectError) or retry_allowed):
                continue
            raise BadGateway(f"{service} is not reachable.") from exc
        except httpx.TransportError as exc:
            raise BadGateway(f"{service} is not reachable.") from exc
    raise AssertionError("unreachable")


async def forward(gateway: Any, request: Request, service: str, path: str) -> Response:
    """Check the caller and its rate, then pass the request to `service` and its answer back."""
    upstream: Upstream | None = gateway.upstreams.get(service)
    if upstream is None:
        raise NotFound(f"No service is routed at /{service}.")
    principal, token_for_service = await _caller(gateway, request, service)
    peer = request.client.host if request.client else "unknown"
    # The socket address, never X-Forwarded-For: a client must not pick its own bucket.
    key = f"client:{principal.client_id}" if principal else f"address:{peer}"
    allowed, wait = gateway.limiter.allow(key)
    if not allowed:
        problem = TooManyRequests("Rate limit exceeded; slow down.", retry_after_seconds=math.ceil(wait))
        problem.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        raise problem
    body = await request.body()
    extra = _connection_tokens(request.headers.get("connection"))
    if principal is not None and not token_for_service:
        extra.add("authorization")
    headers = _strip(request.headers.items(), extra)
    headers += [
        ("x-request-id", current_request_id() or ""),
        ("x-forwarded-for", peer),
        ("x-forwarded-proto", request.url.scheme),
        ("x-forwarded-host", request.headers.get("host", "")),
        ("x-forwarded-prefix", f"/{service}"),
    ]
    # The gateway's own span becomes the parent: the caller's trace context is replaced, not forwarded.
    trace_headers: dict[str, str] = {}
    inject_headers(trace_headers)
    headers = [(k, v) for k, v in headers if k.lower() not in TRACE_HEADERS] + list(trace_headers.items())
    url = httpx.URL(path="/" + path, query=request.url.query.encode())
    upstream_response = await _send(upstream, service, request.method, url, body, headers)
    out_extra = _connection_tokens(upstream_response.headers.get("connection"))
    response = Response(content=upstream_response.content, status_code=upstream_response.status_code)
    # Raw headers keep repeated fields (Set-Cookie, Link) that a dict would fold into one.
    response.raw_headers = [h for h in response.raw_headers if h[0] == b"content-length"] + [
        (k.lower().encode("latin-1"), v.encode("latin-1"))
        for k, v in _strip(upstream_response.headers, out_extra | {"content-encoding"})
    ]
    return response
