"""One transaction per unit of work, retried when a concurrent writer got there first.

`SELECT ... FOR UPDATE` compiles to a plain SELECT on SQLite, so value-moving code never relies on
row locks: it changes rows with conditional updates (`WHERE state = expected`), checks the row count
with `expect_rows`, leans on unique constraints, and lets `run_in_transaction` retry the whole unit
when a condition or a constraint says another transaction won the race. That holds on both databases.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


class ConcurrentUpdate(Exception):
    """A conditional update found the row changed by another transaction: run the unit again."""


def expect_rows(result: CursorResult[object] | object, expected: int = 1) -> None:
    """Raise ConcurrentUpdate unless the conditional statement touched exactly `expected` rows."""
    rowcount = getattr(result, "rowcount", None)
    if rowcount != expected:
        raise ConcurrentUpdate(f"expected {expected} row(s) changed, got {rowcount}")


def is_retryable(exc: BaseException, retry_integrity: bool) -> bool:
    """Whether a unit of work that raised ``exc`` should run again: it lost a race, not a rule."""
    if isinstance(exc, ConcurrentUpdate):
        return True
    if isinstance(exc, IntegrityError):
        return retry_integrity
    if isinstance(exc, OperationalError | DBAPIError):
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        if code in RETRYABLE_SQLSTATES:
            return True
        return "database is locked" in str(exc)
    return False


def run_in_transaction(
    sessions: sessionmaker[Session],
    work: Callable[[Session], T],
    attempts: int = 8,
    retry_integrity: bool = False,
) -> T:
    """Run `work` in its own transaction and commit; on a lost race roll back and run it again."""
    for attempt in range(1, attempts + 1):
        session = sessions()
        try:
            with session.begin():
                return work(session)
        except Exception as exc:
            if attempt == attempts or not is_retryable(exc, retry_integrity):
                raise
            # Jittered backoff so the losers of one race do not collide again in lockstep.
            time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - jitter, not security
        finally:
            session.close()
    raise AssertionError("unreachable")
