"""The reverse proxy: the caller checked, its rate limited, hop-by-hop headers stripped, one pooled
keep-alive connection per request to the service, the answer passed back."""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import Any
from urllib.parse import quote

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.routing.connections import (
    BodySink,
    ConnectFailed,
    ConnectionDropped,
    ConnectionPool,
    UpstreamResponse,
    UpstreamTimedOut,
)
from shared.auth.tokens import Principal
from shared.db.errors import database_unavailable
from shared.logs import current_request_id
from shared.problems import (
    BadGateway,
    GatewayTimeout,
    NotFound,
    Problem,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    problem_response,
)
from shared.settings import SERVICES
from shared.tracing import inject_headers

# Never passed on in either direction: hop-by-hop fields (RFC 9110 §7.6.1), the fields the proxy
# writes itself, and Expect (the gateway has read the body whole; the service must not wait for it).
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
        b"expect",
        b"x-request-id",
        b"x-forwarded-for",
        b"x-forwarded-host",
        b"x-forwarded-proto",
        b"x-forwarded-prefix",
        b"traceparent",
        b"tracestate",
    }
)
# Replaying a request on a connection that broke before its answer cannot do a thing twice only for
# these methods, or when the caller sent an Idempotency-Key.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Answers of this many bytes or more (a whole inventory's lines, say) are passed on as they arrive rather
# than gathered first, so that the caller reads them while the service is still sending. Such an answer
# is no longer sent again if the service's connection breaks halfway: the caller's connection is closed.
STREAMED_FROM = 1024 * 1024


def _connection_tokens(headers: list[tuple[bytes, bytes]]) -> set[bytes]:
    # Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    named: set[bytes] = set()
    for name, value in headers:
        if name == b"connection":
            named |= {token.strip().lower() for token in value.split(b",") if token.strip()}
    return named


def _header(headers: list[tuple[bytes, bytes]], wanted: bytes) -> bytes | None:
    for name, value in headers:
        if name == wanted:
            return value
    return None


async def _caller(gateway: Any, authorization: bytes | None, service: str) -> tuple[Principal | None, bool]:
    """The verified caller, and whether its token is meant for `service` (and so may be passed on).

    The token is verified once (AuthorizationSizeLimitMiddleware has refused an oversized one before this);
    which services it is meant for is then a comparison of its audiences, not another verification.
    """
    if not authorization:
        return None, False
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization must be a Bearer token.")
    verifier = gateway.verifier
    checked = await verifier.check(token)
    if verifier.meant_for(checked, service):
        return checked.principal, True
    # A genuine token meant for another service still names its client (for the rate limit), but is
    # never passed on: public routes answer as for anyone, protected ones ask for a token.
    if any(verifier.meant_for(checked, audience) for audience in ("gateway", *SERVICES)):
        return checked.principal, False
    raise Unauthorized("The token is meant for no service of this platform.")


def _rate_key(gateway: Any, principal: Principal | None, peer: str) -> str:
    """The bucket a request draws on: its client's (a trusted issuer's, per person), else its socket address."""
    if principal is None:
        # The socket address, never X-Forwarded-For: a client must not pick its own bucket.
        return f"address:{peer}"
    if principal.issuer != gateway.settings.issuer:
        # One app of a sign-on provider serves many people: each gets the bucket a platform client has.
        return f"owner:{principal.owner}"
    return f"client:{principal.client_id}"


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class _Relay:
    """Passes a large answer on to the caller piece by piece, as it arrives from the service."""

    def __init__(self, scope: Scope, send: Send) -> None:
        self.scope = scope
        self.send = send
        # Made only for an answer that is passed on: most are small and gathered.
        self.pieces: asyncio.Queue[bytes | None] | None = None
        self.task: asyncio.Task[None] | None = None

    @property
    def started(self) -> bool:
        """Whether the answer is on its way to the caller (and cannot be replaced by another)."""
        return self.task is not None

    def on_head(self, status: int, headers: list[tuple[bytes, bytes]]) -> BodySink | None:
        """Start passing the answer on if it is large; otherwise leave it to be gathered."""
        length = _header(headers, b"content-length")
        if (
            self.scope["method"] == "HEAD"
            or status in (204, 304)  # no body, whatever length they announce
            or length is None
            or not length.isdigit()
            or int(length) < STREAMED_FROM
            or _header(headers, b"transfer-encoding") is not None
        ):
            return None
        pieces = self.pieces = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._pass_on(status, _answer_headers(headers), length))
        return pieces.put_nowait

    async def _pass_on(self, status: int, headers: list[tuple[bytes, bytes]], length: bytes) -> None:
        assert self.pieces is not None
        headers = [*headers, (b"content-length", length)]
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        while (piece := await self.pieces.get()) is not None:
            await self.send({"type": "http.response.body", "body": piece, "more_body": True})
        await self.send({"type": "http.response.body", "body": b"", "more_body": False})

    async def finish(self) -> None:
        """Wait until the whole answer has been passed on."""
        assert self.task is not None and self.pieces is not None
        self.pieces.put_nowait(None)
        await self.task

    async def abandon(self) -> None:
        """The service's answer broke off: stop, leaving the caller's connection to be closed."""
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


class ServiceRouterMiddleware:
    """Pure ASGI: `/{service}/**` goes straight to the proxy, skipping the framework's routing and
    dependency machinery that the gateway's own endpoints need and a pass-through does not."""

    def __init__(self, app: ASGIApp, gateway: Any, services: tuple[str, ...]) -> None:
        self.app = app
        self.gateway = gateway
        self.services = frozenset(services)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            service, _, _ = scope["path"][1:].partition("/")
            if service in self.services:
                scope["lingtan.route"] = f"/{service}/**"
                relay = _Relay(scope, send)
                try:
                    answer = await forward(self.gateway, scope, receive, service, relay)
                except Problem as problem:
                    if relay.started:
                        # Part of the answer is with the caller already: no problem document can follow.
                        await relay.abandon()
                        raise
                    await problem_response(problem, scope["path"])(scope, receive, send)
                    return
                except DBAPIError as exc:
                    # Checking a token can need the gateway's own keys from its database.
                    if not database_unavailable(exc):
                        raise
                    unavailable = ServiceUnavailable("The gateway's database is not reachable; retry shortly.")
                    await problem_response(unavailable, scope["path"])(scope, receive, send)
                    return
                except BaseException:
                    if relay.started:
                        await relay.abandon()
                    raise
                if relay.started:
                    await relay.finish()
                else:
                    await _reply(scope, send, answer)
                return
        await self.app(scope, receive, send)


def _answer_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    dropped = HOP_BY_HOP | _connection_tokens(headers) | {b"content-encoding"}
    return [(name, value) for name, value in headers if name not in dropped]


async def _reply(scope: Scope, send: Send, answer: UpstreamResponse) -> None:
    headers = _answer_headers(answer.headers)
    if scope["method"] == "HEAD":
        length = _header(answer.headers, b"content-length")
        if length is not None:
            headers.append((b"content-length", length))
    else:
        headers.append((b"content-length", str(len(answer.body)).encode("ascii")))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _send(pool: ConnectionPool, service: str, method: str, target: bytes, headers: list[tuple[bytes, bytes]],
                body: bytes, relay: _Relay) -> UpstreamResponse:
    """Send once; send again once where that cannot do a thing twice (never sent, or a repeatable request)."""
    repeatable = method in SAFE_METHODS or _header(headers, b"idempotency-key") is not None
    for attempt in (1, 2):
        try:
            return await pool.request(method, target, headers, body, on_head=relay.on_head)
        except ConnectFailed as exc:
            if attempt == 1:
                continue
            raise BadGateway(f"{service} is not reachable.") from exc
        except ConnectionDropped as exc:
            # A pooled connection the service closed surfaces here; a request never acted on can go again,
            # unless part of its answer is already with the caller.
            if attempt == 1 and repeatable and not relay.started:
                continue
            raise BadGateway(f"{service} is not reachable.") from exc
        except UpstreamTimedOut as exc:
            raise GatewayTimeout(f"{service} did not answer in time.") from exc
    raise AssertionError("unreachable")


async def forward(gateway: Any, scope: Scope, receive: Receive, service: str, relay: _Relay) -> UpstreamResponse:
    """Check the caller and its rate, then pass the request to `service` and return its answer (a large
    answer's body goes to the caller through `relay` as it arrives)."""
    pool: ConnectionPool | None = gateway.upstreams.get(service)
    if pool is None:
        raise NotFound(f"No service is routed at /{service}.")
    incoming: list[tuple[bytes, bytes]] = scope["headers"]
    principal, token_for_service = await _caller(gateway, _header(incoming, b"authorization"), service)
    peer = scope["client"][0] if scope.get("client") else "unknown"
    allowed, wait = gateway.limiter.allow(_rate_key(gateway, principal, peer))
    if not allowed:
        problem = TooManyRequests("Rate limit exceeded; slow down.", retry_after_seconds=math.ceil(wait))
        problem.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        raise problem
    body = await _read_body(receive)
    dropped = HOP_BY_HOP | _connection_tokens(incoming)
    if principal is not None and not token_for_service:
        dropped = dropped | {b"authorization"}
    headers = [(name, value) for name, value in incoming if name not in dropped]
    # The gateway's own span becomes the parent: the caller's trace context is replaced, not forwarded.
    trace: dict[str, str] = {}
    inject_headers(trace)
    headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in trace.items()]
    headers += [
        (b"x-request-id", (current_request_id() or "").encode("latin-1")),
        (b"x-forwarded-for", peer.encode("latin-1")),
        (b"x-forwarded-proto", scope.get("scheme", "http").encode("latin-1")),
        (b"x-forwarded-host", _header(incoming, b"host") or b""),
        (b"x-forwarded-prefix", f"/{service}".encode("latin-1")),
    ]
    prefix = f"/{service}".encode("ascii")
    raw_path: bytes | None = scope.get("raw_path")
    if raw_path is not None and raw_path.startswith(prefix):
        target = raw_path[len(prefix):] or b"/"
    else:  # the prefix arrived percent-encoded: forward the decoded path, encoded again
        target = quote(scope["path"][len(prefix):] or "/").encode("ascii")
    if scope.get("query_string"):
        target += b"?" + scope["query_string"]
    return await _send(pool, service, scope["method"], target, headers, body, relay)
