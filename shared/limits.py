"""Bounded input: request bodies larger than the limit are refused with 413 before they are read whole, and an
Authorization field longer than MAX_AUTHORIZATION_BYTES with 431 before anything decodes or verifies it."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import HeaderTooLarge, PayloadTooLarge, problem_response

DEFAULT_MAX_BODY = 1024 * 1024
# The platform's access tokens are under 1 KiB and a sign-on provider's are typically 1-3 KiB; a larger
# Authorization field is junk, refused by its length alone so that it never costs a base64 decoding, a
# JSON parse or a signature check (the gateway answers 431; a service's own token check refuses it too).
MAX_AUTHORIZATION_BYTES = 8 * 1024


class BodyTooLarge(HTTPException):
    """Raised inside the receive channel when a streamed body passes the limit.

    An HTTPException because FastAPI turns any other error met while reading a body into a 400; this
    one it lets through to the problem handlers, which answer 413.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body exceeds {max_bytes} bytes.")


class BodySizeLimitMiddleware:
    """Refuse bodies over `max_bytes`, by Content-Length up front or by counting a streamed body."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        response = problem_response(
            PayloadTooLarge(f"The request body exceeds {self.max_bytes} bytes.", max_bytes=self.max_bytes),
            scope.get("path"),
        )
        await response(scope, _empty_receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send)


def authorization_too_large(length: int) -> HeaderTooLarge | None:
    """The problem for an Authorization field of `length` bytes, if it is over the bound."""
    if length <= MAX_AUTHORIZATION_BYTES:
        return None
    return HeaderTooLarge(
        f"The Authorization header exceeds {MAX_AUTHORIZATION_BYTES} bytes; no access token is that long.",
        max_bytes=MAX_AUTHORIZATION_BYTES,
    )


class AuthorizationSizeLimitMiddleware:
    """Refuse a request whose Authorization field (all its lines together) passes MAX_AUTHORIZATION_BYTES."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = sum(len(value) for name, value in scope["headers"] if name == b"authorization")
            problem = authorization_too_large(length)
            if problem is not None:
                await problem_response(problem, scope.get("path"))(scope, _empty_receive, send)
                return
        await self.app(scope, receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
