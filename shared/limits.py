"""Bounded input: request bodies larger than the limit are refused with 413 before they are read whole."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import PayloadTooLarge

DEFAULT_MAX_BODY = 1024 * 1024


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
        from shared.problems import problem_response

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


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
