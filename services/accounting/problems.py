"""Accounting errors as RFC 9457 problems: domain errors are 422, lost races and locked records 409."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError

from services.accounting.errors import AccountingError
from shared.problems import Conflict, Problem, problem_response


class ConcurrentChange(Conflict):
    """Another request changed the same event at the same moment."""

    slug, title = "concurrent-change", "Changed by another request at the same time"


class InventorySubmitted(Conflict):
    """A submitted inventory is the accounted record and never changes; amendments make new versions."""

    slug, title = "inventory-submitted", "The inventory is submitted and locked"


class EventLocked(Conflict):
    """The event's state does not allow this change (accounted, certified)."""

    slug, title = "event-locked", "The event does not accept this change in its current status"


class EventNotBegun(Conflict):
    """Actual figures for an event that has not begun: there is nothing actual to record yet."""

    slug, title = "event-not-begun", "The event has not begun"


class EventNotEnded(Conflict):
    """A step that needs the whole event behind it (submitting the accounted emissions, applying)."""

    slug, title = "event-not-ended", "The event has not ended"


class NotAccounted(Conflict):
    """A step that needs the event's accounted inventory, which it does not have in its current status."""

    slug, title = "not-accounted", "The event has no accounted inventory in this status"


class BandChangesExhausted(Conflict):
    """An event's record of band changes is full: its actual count has moved it between bands too often."""

    slug, title = "band-changes-exhausted", "The event has changed band too many times"


class GreenCertificateClaimed(Conflict):
    """A green-electricity certificate already zeroes another event's purchased electricity."""

    slug, title = "green-certificate-claimed", "The green-electricity certificate is claimed by another event"


class NothingToSubmit(Conflict):
    """Submitting when no draft inventory is waiting."""

    slug, title = "nothing-to-submit", "There is no draft inventory to submit"


class NothingToAmend(Conflict):
    """An amendment needs a submitted inventory and no open draft."""

    slug, title = "nothing-to-amend", "There is no submitted inventory to amend"


def _plain(value: Any) -> Any:
    # Problem bodies go through the standard JSON encoder: anything it cannot write becomes text.
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def as_problem(error: AccountingError, status: int = 422) -> Problem:
    """The problem document of a domain error (422 by default; 404 for failed lookups)."""
    problem = Problem(error.detail, **{key: _plain(value) for key, value in error.extensions.items()})
    problem.status, problem.slug, problem.title = status, error.slug, error.title
    return problem


def install_accounting_handlers(app: FastAPI) -> None:
    """Domain errors become 422 problems; a write that lost a race becomes a 409 to retry."""

    async def domain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AccountingError)
        return problem_response(as_problem(exc), request.url.path)

    async def lost_race(request: Request, _exc: Exception) -> JSONResponse:
        problem = ConcurrentChange("Another request changed this event at the same time; read it again and retry.")
        return problem_response(problem, request.url.path)

    app.add_exception_handler(AccountingError, domain)
    # Version counters on events and plans turn a lost update into StaleDataError at flush.
    app.add_exception_handler(StaleDataError, lost_race)
