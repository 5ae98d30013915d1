"""What every hostile request is checked against: a problem document, no database text, nothing changed."""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
from markupsafe import escape
from sqlalchemy import inspect, text

from shared.auth.scopes import SCOPE_AUDIENCES
from tests.support.running import RunningPlatform

PROBLEM = "application/problem+json"
# Text a database driver or a leaked query would put in an answer.
DATABASE_TEXT = re.compile(
    r"syntax error|psycopg|sqlite3?\b|sqlalchemy|OperationalError|ProgrammingError|IntegrityError"
    r"|DataError|SQLSTATE|Traceback|unterminated quoted string|no such (?:table|column)",
    re.IGNORECASE,
)
# A query's text: upper case, as SQLAlchemy writes it (the portal's HTML has <select> elements).
QUERY_TEXT = re.compile(r"\bSELECT\b[^<>]{0,200}?\bFROM\b")
ECHO = "\x01echo\x01"


def every_scope() -> str:
    """Every scope a client may hold (the services' own delivery scope aside)."""
    return " ".join(s for s in SCOPE_AUDIENCES if s != "notifications:deliver")


def assert_problem(response: httpx.Response, allowed: tuple[int, ...]) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with one of the `allowed` statuses; its document."""
    assert response.status_code in allowed, f"{response.status_code}: {response.text[:300]}"
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code and body["title"] and body["type"]
    return body


def without_echo(body: str, sent: str) -> str:
    """An answer with what the caller sent (as JSON, HTML or in a URL) replaced by a fixed marker."""
    forms = {sent, json.dumps(sent)[1:-1], str(escape(sent)), html.escape(sent), quote(sent, safe=""),
             quote_plus(sent), str(escape(quote_plus(sent))), str(escape(quote(sent, safe="")))}
    for form in sorted(forms, key=len, reverse=True):
        if form:
            body = body.replace(form, ECHO)
    return body


def database_text(body: str, sent: str) -> str | None:
    """Database error text or a query in an answer, if any, besides the echo of what the caller sent."""
    body = without_echo(body, sent)
    found = DATABASE_TEXT.search(body) or QUERY_TEXT.search(body)
    return found.group(0) if found else None


class Fingerprint:
    """Row counts of every table of a service's database: what a refused request must leave alone."""

    def __init__(self, platform: RunningPlatform, service: str) -> None:
        self.database = platform.database(service)
        with self.database.reads() as session:
            self.tables = sorted(inspect(session.connection()).get_table_names())
        # One statement for every table: a fingerprint is taken twice per attack.
        counts = ", ".join(f'(SELECT count(*) FROM "{t}")' for t in self.tables)
        self.query = text(f"SELECT {counts}")

    def take(self) -> dict[str, int]:
        """The row count of each table now."""
        with self.database.reads() as session:
            return dict(zip(self.tables, session.execute(self.query).one(), strict=True))


def wait_until_delivered(platform: RunningPlatform, timeout: float = 20.0) -> None:
    """Let every outbox drain, so that only the requests under test can change a database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = 0
        for built in platform.built.values():
            relay = getattr(built.app.state, "context", None) and built.app.state.context.relay
            if relay is not None:
                pending += sum(r["pending"] for r in relay.lag().values())
        if pending == 0:
            return
        time.sleep(0.05)
    raise AssertionError("the outboxes did not drain")


def concrete(path: str, ids: dict[str, str], **values: Any) -> str:
    """An OpenAPI path with its parameters filled: `values` first, then known ids, else an id naming nothing."""
    for name in re.findall(r"\{([^}]+)\}", path):
        value = values.get(name, ids.get(name, "none-such-0"))
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return path
