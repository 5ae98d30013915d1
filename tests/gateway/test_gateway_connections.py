"""The gateway's upstream connections against a scripted service: framing, keep-alive, headers, failures.

Each scripted service is a TCP server that records the requests it reads and answers with bytes given
by the test, so the odd answers a real service rarely gives (chunked, interim 100, closed mid-way,
malformed) are all exercised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace

import httpx
import pytest
import uvloop

from services.gateway.routing.connections import (
    ConnectFailed,
    ConnectionDropped,
    ConnectionPool,
    UpstreamTimedOut,
)
from services.gateway.routing.proxy import ServiceRouterMiddleware
from services.gateway.routing.ratelimit import RateLimiter
from shared.problems import BadGateway

Answer = Callable[[bytes, int], bytes | None]  # (request head, its number among all requests) -> bytes to send


class ScriptedService:
    """Answers each request with `answer(head, n)`; None closes the connection without a word."""

    def __init__(self, answer: Answer, close_after_answer: bool = False) -> None:
        self.answer = answer
        self.close_after_answer = close_after_answer
        self.requests: list[bytes] = []
        self.connections = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                reply = self.answer(head, len(self.requests))
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()


def ok(body: bytes = b"hello", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n%s" % (len(body), extra, body)


LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


@pytest.fixture(params=sorted(LOOPS))
def run(request):  # noqa: ANN001, ANN201 - every case on both loops: `lingtan serve` runs uvloop
    def run_on_loop(coro):  # noqa: ANN001, ANN202
        with asyncio.Runner(loop_factory=LOOPS[request.param]) as runner:
            return runner.run(coro)

    return run_on_loop


def test_keep_alive_reuses_one_connection_and_frames_the_request(run):
    async def scenario() -> None:
        service = ScriptedService(lambda head, n: ok(b"answer %d" % n))
        async with service as url:
            pool = ConnectionPool(url, timeout=5, connect_timeout=5)
            first = await pool.request("GET", b"/v1/a?x=1", [(b"accept", b"application/json")], b"")
            second = await pool.request("POST", b"/v1/b", [], b'{"q": 1}')
            await pool.aclose()
        assert (first.status, first.body, second.body) == (200, b"answer 1", b"answer 2")
        assert service.connections == 1
        assert service.requests[0].startswith(b"GET /v1/a?x=1 HTTP/1.1\r\nhost: 127.0.0.1:")
        assert b"content-length" not in service.requests[0]
        assert service.requests[1].endswith(b'content-length: 8\r\n\r\n{"q": 1}')

    run(scenario())


def test_chunked_and_interim_answers_and_repeated_headers_arrive_whole(run):
    chunked = (b"HTTP/1.1 100 Continue\r\n\r\n"
               b"HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")

    async def scenario() -> None:
        async with ScriptedService(lambda head, n: chunked) as url:
            pool = ConnectionPool(url, timeout=5, connect_timeout=5)
            answer = await pool.request("POST", b"/", [], b"x")
            again = await pool.request("POST", b"/", [], b"x")
            await pool.aclose()
        assert (answer.status, answer.body) == (201, b"hello world")
        assert [v for k, v in answer.headers if k == b"set-cookie"] == [b"a=1", b"b=2"]
        assert again.body == b"hello world"

    run(scenario())


def test_head_answers_end_at_their_headers(run):
    async def scenario() -> None:
        service = ScriptedService(lambda head, n: b"HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n")
        async with service as url:
            pool = ConnectionPool(url, timeout=2, connect_timeout=2)
            answer = await pool.request("HEAD", b"/", [], b"")
            await pool.aclose()
        assert (answer.status, answer.body, dict(answer.headers)[b"content-length"]) == (200, b"", b"1234")

    run(scenario())


def test_an_answer_delimited_by_closing_the_connection(run):
    async def scenario() -> None:
        service = ScriptedService(lambda head, n: b"HTTP/1.1 200 OK\r\n\r\nuntil the end", close_after_answer=True)
        async with service as url:
            pool = ConnectionPool(url, timeout=2, connect_timeout=2)
            answer = await pool.request("GET", b"/", [], b"")
        assert answer.body == b"until the end"

    run(scenario())


def test_failures_are_told_apart(run):
    async def scenario() -> None:
        async with ScriptedService(lambda head, n: None) as url:
            with pytest.raises(ConnectionDropped):
                await ConnectionPool(url, timeout=2, connect_timeout=2).request("POST", b"/", [], b"x")
        async with ScriptedService(lambda head, n: b"NOT HTTP AT ALL\r\n\r\n") as url:
            with pytest.raises(ConnectionDropped):
                await ConnectionPool(url, timeout=2, connect_timeout=2).request("GET", b"/", [], b"")
        async with ScriptedService(lambda head, n: b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort") as url:
            with pytest.raises(UpstreamTimedOut):
                await ConnectionPool(url, timeout=0.3, connect_timeout=2).request("GET", b"/", [], b"")
        service = ScriptedService(lambda head, n: ok())
        async with service as url:
            pass  # closed: nobody listens on its port any more
        with pytest.raises(ConnectFailed):
            await ConnectionPool(url, timeout=2, connect_timeout=2).request("GET", b"/", [], b"")

    run(scenario())


def _through_router(run: Callable[..., object], answer: Answer,
                    request: Callable[[httpx.AsyncClient], object]):  # noqa: ANN202
    """Send `request` through the gateway's router to a scripted service; returns (response, service)."""

    async def scenario():  # noqa: ANN202
        service = ScriptedService(answer)
        async with service as url:
            gateway = SimpleNamespace(upstreams={"registry": ConnectionPool(url, timeout=2, connect_timeout=2)},
                                      limiter=RateLimiter(1000, 1000), verifier=None)

            async def not_routed(scope, receive, send):  # noqa: ANN001, ANN202
                raise AssertionError("the router must answer /registry itself")

            app = ServiceRouterMiddleware(not_routed, gateway, ("registry",))
            transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
                response = await request(http)  # type: ignore[misc]
            return response, service

    return run(scenario())  # type: ignore[return-value]


def test_the_router_strips_hop_by_hop_fields_both_ways_and_sets_its_own(run):
    upstream_answer = ok(b"{}", b"connection: x-internal\r\nx-internal: 1\r\nkeep-alive: timeout=5\r\n"
                                b"set-cookie: a=1\r\nset-cookie: b=2\r\n")
    response, service = _through_router(run, lambda head, n: upstream_answer, lambda http: http.get(
        "/registry/v1/things%2Fodd?q=%27x%27", headers={
            "connection": "x-private", "x-private": "secret", "x-forwarded-for": "6.6.6.6",
            "traceparent": "00-11111111111111111111111111111111-2222222222222222-01", "expect": "100-continue",
            "x-kept": "yes"}))
    sent = service.requests[0].decode().lower()
    assert sent.startswith("get /v1/things%2fodd?q=%27x%27 http/1.1\r\n")
    assert "x-private" not in sent and "6.6.6.6" not in sent and "expect" not in sent
    assert "2222222222222222" not in sent  # the caller's trace context is not passed on as the parent
    assert "x-forwarded-for: 203.0.113.9" in sent and "x-forwarded-prefix: /registry" in sent
    assert "x-kept: yes" in sent
    assert response.status_code == 200
    assert "x-internal" not in response.headers and "keep-alive" not in response.headers
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_a_post_whose_connection_dropped_is_not_sent_twice_but_a_get_is(run):
    def drop_first(head: bytes, n: int) -> bytes | None:
        return None if n == 1 else ok()

    posted, service = _through_router(run, drop_first, lambda http: http.post("/registry/v1/retirements", json={}))
    assert posted.status_code == 502
    assert posted.headers["content-type"] == "application/problem+json"
    assert len(service.requests) == 1
    keyed, service = _through_router(run, drop_first, lambda http: http.post(
        "/registry/v1/retirements", json={}, headers={"Idempotency-Key": "k1"}))
    assert keyed.status_code == 200 and len(service.requests) == 2
    got, service = _through_router(run, drop_first, lambda http: http.get("/registry/v1/accounts"))
    assert got.status_code == 200 and len(service.requests) == 2


def test_a_large_answer_is_passed_on_whole_as_it_arrives(run):
    large = bytes(range(256)) * (3 * 1024 * 1024 // 256 + 7)
    got, service = _through_router(run, lambda head, n: ok(large, b"content-type: application/json\r\n"),
                                   lambda http: http.get("/registry/v1/ledger"))
    assert got.status_code == 200 and got.content == large
    assert got.headers["content-length"] == str(len(large))
    assert got.headers["content-type"] == "application/json"
    assert len(service.requests) == 1


def test_a_large_answer_cut_short_is_not_sent_again_once_passed_on(run):
    declared = 3 * 1024 * 1024

    def cut_short(head: bytes, n: int) -> bytes:
        if n > 1:
            return ok(b"x" * declared)
        return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % declared + b"x" * (declared // 2)

    async def scenario():  # noqa: ANN202
        service = ScriptedService(cut_short, close_after_answer=True)
        async with service as url:
            gateway = SimpleNamespace(upstreams={"registry": ConnectionPool(url, timeout=2, connect_timeout=2)},
                                      limiter=RateLimiter(1000, 1000), verifier=None)
            app = ServiceRouterMiddleware(None, gateway, ("registry",))  # type: ignore[arg-type]
            transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
                # Half the answer is with the caller: no problem document can replace it, the exchange fails.
                with pytest.raises(BadGateway):
                    await http.get("/registry/v1/ledger")
            return service

    service = run(scenario())
    # A GET whose answer broke off would be sent again; not once part of the answer is with the caller.
    assert len(service.requests) == 1
