"""One transaction per request, owned by this dependency: domain code flushes, never commits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_session(request: Request) -> Iterator[Session]:
    """A session whose transaction commits when the handler returns and rolls back when it raises."""
    database = request.app.state.context.database
    factory = database.reads if request.method in READ_METHODS else database.writes
    with factory() as session, session.begin():
        yield session


# scope="function": commit before the response is sent, so a client never sees an answer for a write
# that then fails to commit, nor reads before a write it was told about is visible.
DbSession = Annotated[Session, Depends(request_session, scope="function")]
