"""Telling a database outage apart from a bug, so clients get 503 and retry instead of a 500."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

# PostgreSQL classes 08 (connection exception) and 57P (operator intervention: shutdown, restart).
_UNAVAILABLE_PREFIXES = ("08", "57P")


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database is down or restarting rather than the request being wrong."""
    if not isinstance(exc, OperationalError | DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", None)
    # psycopg attaches the half-made connection to an error raised while connecting: while the server
    # shuts down or starts up it refuses new sessions ("the database system is shutting down") before
    # any SQLSTATE could reach the client.
    if getattr(orig, "pgconn", None) is not None:
        return True
    code = getattr(orig, "sqlstate", None) or ""
    if code.startswith(_UNAVAILABLE_PREFIXES):
        return True
    text = str(exc).lower()
    return "connection refused" in text or "server closed the connection" in text
