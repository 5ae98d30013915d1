"""Keep-alive HTTP/1.1 connections from the gateway to one service, parsed by httptools.

The proxy forwards bytes it has already read whole, to services it knows, over loopback or a cluster
network: it needs no redirects, cookies, auth flows, URL building or content decoding. A general
client's machinery for those cost about 1.5 ms of CPU per request here (httpx), more than the
services spend answering; this pool writes the request in one buffer and parses the answer with the
same C parser uvicorn uses (httptools), which brings the cost down to tens of microseconds.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools

KEEPALIVE_SECONDS = 2.0
MAX_CONNECTIONS = 256


class UpstreamError(Exception):
    """The service could not be asked or did not answer properly."""


class ConnectFailed(UpstreamError):
    """No connection could be opened: the request was never sent, so sending it again is always safe."""


class ConnectionDropped(UpstreamError):
    """The connection closed or broke before a whole answer arrived; the service may have acted on it."""


class UpstreamTimedOut(UpstreamError):
    """The service took longer than the timeout."""


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    headers: list[tuple[bytes, bytes]]  # names lower-cased, in the order received
    body: bytes  # empty when the body was streamed to a sink as it arrived


# Takes each piece of an answer's body as it arrives.
BodySink = Callable[[bytes], None]
# Told an answer's status and headers as soon as they are read; returns where its body should go as it
# arrives, or None to have the body gathered into the UpstreamResponse.
HeadListener = Callable[[int, list[tuple[bytes, bytes]]], BodySink | None]


class _Connection(asyncio.Protocol):
    """One connection; answers one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[UpstreamResponse] | None = None
        self.head_only = False
        self.on_head: HeadListener | None = None
        self.sink: BodySink | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.headers_done = False
        self.reusable = False
        self.idle_since = 0.0

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, so no isinstance check here.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.waiter is None or self.waiter.done():
            self.close()  # bytes nobody asked for: the connection can no longer be trusted
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ConnectionDropped(f"malformed answer: {exc}"))
            self.close()

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if exc is None and self.headers_done and not self._has_length():
            # An answer delimited by closing the connection (neither Content-Length nor chunked).
            waiter.set_result(self._response())
        else:
            waiter.set_exception(ConnectionDropped("the service closed the connection"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        self.headers_done = True
        status = self.parser.get_status_code()
        if self.head_only and status >= 200:
            # A HEAD answer announces a length it never sends; take it as complete and close it.
            self._finish(reusable=False)
        elif status >= 200 and self.on_head is not None:
            self.sink = self.on_head(status, self.headers)

    def on_body(self, body: bytes) -> None:
        if self.sink is not None:
            self.sink(body)
        else:
            self.body.append(body)

    def on_message_complete(self) -> None:
        if 100 <= self.parser.get_status_code() < 200:
            self._reset()  # an interim answer (100 Continue): the real one follows
            return
        self._finish(reusable=self.parser.should_keep_alive())

    # the exchange
    def _has_length(self) -> bool:
        return any(name in (b"content-length", b"transfer-encoding") for name, _ in self.headers)

    def _reset(self) -> None:
        self.headers = []
        self.body = []
        self.sink = None
        self.headers_done = False

    def _response(self) -> UpstreamResponse:
        return UpstreamResponse(self.parser.get_status_code(), self.headers, b"".join(self.body))

    def _finish(self, reusable: bool) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.reusable = reusable
            self.waiter.set_result(self._response())

    def _fail(self, error: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(error)

    def send(
        self, request: list[bytes], head_only: bool, on_head: HeadListener | None = None
    ) -> asyncio.Future[UpstreamResponse]:
        if self.transport is None:
            raise ConnectionDropped("the connection closed before the request was written")
        self._reset()
        self.reusable = False
        self.head_only = head_only
        self.on_head = on_head
        self.waiter = asyncio.get_running_loop().create_future()
        # Head and body as they are: a body of megabytes is not copied into one buffer with the head.
        self.transport.writelines(request)
        return self.waiter

    @property
    def open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class ConnectionPool:
    """Keep-alive connections to one `http://` or `https://` origin, at most `max_connections` at once."""

    def __init__(self, base_url: str, timeout: float, connect_timeout: float,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl: ssl.SSLContext | None = ssl.create_default_context() if parts.scheme == "https" else None
        self.host_header = parts.netloc.encode("idna") if parts.netloc else self.host.encode()
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)

    def _take_idle(self) -> _Connection | None:
        # Idle connections are dropped well before the services' keep-alive timeout (uvicorn: 5 s), so
        # a request is never written into a connection the service is closing.
        oldest = time.monotonic() - KEEPALIVE_SECONDS
        while self._idle:
            connection = self._idle.pop()
            if connection.open and connection.idle_since > oldest:
                return connection
            connection.close()
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, connection = await loop.create_connection(_Connection, self.host, self.port, ssl=self.ssl)
        except (OSError, TimeoutError) as exc:
            raise ConnectFailed(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        return connection

    def _request_parts(
        self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> list[bytes]:
        lines = [method.encode("ascii"), b" ", target, b" HTTP/1.1\r\nhost: ", self.host_header, b"\r\n"]
        for name, value in headers:
            lines += [name, b": ", value, b"\r\n"]
        if body or method not in ("GET", "HEAD", "OPTIONS", "DELETE"):
            lines += [b"content-length: ", str(len(body)).encode("ascii"), b"\r\n"]
        lines.append(b"\r\n")
        return [b"".join(lines), body] if body else [b"".join(lines)]

    async def request(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]],
                      body: bytes, on_head: HeadListener | None = None) -> UpstreamResponse:
        """Send one request and read its whole answer. `headers` must already be free of hop-by-hop
        fields, Host and Content-Length, and of CR/LF (they come from a parsed request). `on_head`,
        when given, is told the answer's head as soon as it is read and may take its body as it arrives;
        the request still returns only once the whole answer has been read."""
        payload = self._request_parts(method, target, headers, body)
        try:
            async with asyncio.timeout(self.timeout):
                async with self._slots:
                    connection = self._take_idle() or await self._connect()
                    try:
                        response = await connection.send(payload, head_only=method == "HEAD", on_head=on_head)
                    except BaseException:
                        connection.close()
                        raise
                    if connection.reusable and connection.open:
                        connection.idle_since = time.monotonic()
                        self._idle.append(connection)
                    else:
                        connection.close()
                    return response
        except TimeoutError as exc:
            raise UpstreamTimedOut(f"{self.host}:{self.port} did not answer within {self.timeout} s") from exc

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
