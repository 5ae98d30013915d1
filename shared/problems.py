"""One typed error hierarchy and one handler: every error leaves as an RFC 9457 problem document."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db.errors import database_unavailable

PROBLEM_TYPE_BASE = "https://lingtan.org/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger("lingtan.problems")


class Problem(Exception):
    """An error with an HTTP status, a stable type slug, a title and a human-readable detail."""

    status = 500
    slug = "internal-error"
    title = "Internal error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions
        self.headers: dict[str, str] = {}

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem document (RFC 9457 members plus extensions)."""
        doc: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            doc["instance"] = instance
        doc.update(self.extensions)
        return doc


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", "Bad request"


class InvalidInput(Problem):
    status, slug, title = 422, "invalid-input", "The request is not valid"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed"


class InsufficientScope(Forbidden):
    slug, title = "insufficient-scope", "The token lacks a required scope"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class HeaderTooLarge(Problem):
    status, slug, title = 431, "header-too-large", "Request header field too large"


class BadGateway(Problem):
    status, slug, title = 502, "bad-gateway", "Upstream service failed"


class ServiceUnavailable(Problem):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


class GatewayTimeout(Problem):
    status, slug, title = 504, "gateway-timeout", "Upstream service timed out"


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    """Render a Problem as an application/problem+json response."""
    return JSONResponse(
        problem.body(instance),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers or None,
    )


_STATUS_TO_PROBLEM: dict[int, type[Problem]] = {
    cls.status: cls
    for cls in (BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, TooManyRequests)
}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        # Echoing the rejected input back could reflect secrets or huge bodies: name the place only.
        errors.append({"location": [str(p) for p in err.get("loc", ())], "message": err.get("msg", "")})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of `app` an RFC 9457 problem response, validation errors included."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problem = InvalidInput("One or more fields are invalid.", errors=_validation_errors(exc))
        return problem_response(problem, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        cls = _STATUS_TO_PROBLEM.get(exc.status_code)
        problem = cls(str(exc.detail)) if cls else Problem(str(exc.detail))
        problem.status = exc.status_code
        if exc.status_code == 405:
            problem.slug, problem.title = "method-not-allowed", "Method not allowed"
        if exc.headers:
            problem.headers.update(exc.headers)
        return problem_response(problem, request.url.path)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # Answered here rather than by the last-resort handler below: that one re-raises to the server,
        # which then closes the keep-alive connection after every 503 of an outage (and logs each as a crash).
        if not database_unavailable(exc):
            raise exc
        return problem_response(ServiceUnavailable("The database is not reachable; retry shortly."), request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if database_unavailable(exc):
            return problem_response(ServiceUnavailable("The database is not reachable; retry shortly."))
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(Problem("An unexpected error occurred."), request.url.path)
