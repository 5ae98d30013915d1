"""Units of work on the ledger: each value-moving write, and each batch of the log's sequencer.

A unit is plain synchronous code over an ``Executor`` (shared/db/executor.py): it reads, moves
blocks with conditional updates and queues its log entry, in one transaction. Where it runs depends
on the database:

- PostgreSQL: on the event loop, over asyncpg (asyncpg_executor.py). The unit runs in a greenlet and
  each statement hands the driver's coroutine to the loop and resumes with its result, as
  SQLAlchemy's own asyncio extension does. Writes in flight then share one thread, instead of one
  thread each taking turns on the interpreter lock between round trips (``docs/scaling.md``
  section 3 has the measurements that chose this).
- SQLite: on SQLAlchemy's connection in a worker thread, the database's write lock taken at BEGIN
  (shared/db/engine.py): the embedded database waits on no network.

Either way, a unit that loses a race (a conditional update that found its row moved, a serialization
failure or deadlock, and for idempotent writes a second insert of the same key) runs again from the
start, after a short jittered pause, as shared/db/transactions.py does for sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import Engine
from sqlalchemy.util import greenlet_spawn
from starlette.concurrency import run_in_threadpool

from services.registry.asyncpg_executor import DRIVER_ERRORS, AsyncpgExecutor, translate
from shared.db.engine import CONNECT_TIMEOUT_SECONDS, WRITE_OPTION, Database
from shared.db.executor import Executor
from shared.db.transactions import is_retryable

T = TypeVar("T")
ATTEMPTS = 8
# asyncpg's prepared statements per connection: every statement of the write path, with room for the
# IN-list lengths the sequencer meets.
STATEMENT_CACHE = 512
_BEGIN = "BEGIN"
_BEGIN_FLUSHED_LATER = "BEGIN; SET LOCAL synchronous_commit TO off"


class UnitRunner:
    """Runs units of work on the registry's database, retrying lost races."""

    def __init__(self, database: Database, pool_size: int) -> None:
        self._writer: Engine = database.engine.execution_options(**{WRITE_OPTION: True})
        self._postgres = None if database.is_sqlite else _PostgresUnits(database, pool_size)

    async def run(self, work: Callable[[Executor], T], *, retry_integrity: bool = False, durable: bool = True) -> T:
        """Run ``work`` in its own transaction and commit; on a lost race run it again.

        ``durable=False`` is for a unit whose changes nobody is told of until a later transaction,
        committed durably, has read them: on PostgreSQL its COMMIT then does not wait for the WAL to
        reach the disk, since the later commit's flush covers everything logged before it.
        """
        for attempt in range(1, ATTEMPTS + 1):
            try:
                if self._postgres is None:
                    return await run_in_threadpool(self._on_sqlite, work)
                return await self._postgres.run(work, durable)
            except Exception as exc:
                if attempt == ATTEMPTS or not is_retryable(exc, retry_integrity):
                    raise
                # Jittered so that the losers of one race do not collide again in lockstep.
                await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - jitter, not security
        raise AssertionError("unreachable")

    def _on_sqlite(self, work: Callable[[Executor], T]) -> T:
        with self._writer.connect() as connection, connection.begin():
            return work(connection)

    async def close(self) -> None:
        """Close the connections this runner opened on the running loop."""
        if self._postgres is not None:
            await self._postgres.close()


class _PostgresUnits:
    """A pool of asyncpg connections per event loop (asyncpg binds each pool to one loop)."""

    def __init__(self, database: Database, size: int) -> None:
        url = database.engine.url
        query = dict(url.query)
        # libpq's connect_timeout is asyncpg's timeout; any other parameter asyncpg reads itself.
        self._timeout = float(str(query.pop("connect_timeout", CONNECT_TIMEOUT_SECONDS)))
        self._dsn = url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
        self._settings = {"search_path": f'"{database.schema}"'} if database.schema else {}
        self._size = size
        self._pools: dict[asyncio.AbstractEventLoop, asyncio.Task[asyncpg.Pool]] = {}

    async def _pool(self) -> asyncpg.Pool:
        loop = asyncio.get_running_loop()
        opening = self._pools.get(loop)
        if opening is not None and opening.done() and not opening.cancelled() and opening.exception() is None:
            return opening.result()
        if opening is None:
            # Made at once and shared, so that requests arriving together wait for one pool.
            opening = self._pools[loop] = loop.create_task(self._open())
        try:
            return await asyncio.shield(opening)
        except BaseException:
            if opening.done() and self._pools.get(loop) is opening:
                del self._pools[loop]
            raise

    async def _open(self) -> asyncpg.Pool:
        pool = await asyncpg.create_pool(
            self._dsn,
            min_size=0,  # connections are opened as writes need them, so starting never waits on the database
            max_size=self._size,
            timeout=self._timeout,
            statement_cache_size=STATEMENT_CACHE,
            # Idle connections are not closed on a timer: re-arming it at every release cost each unit
            # a timer of the event loop, and the pool is bounded anyway.
            max_inactive_connection_lifetime=0,
            server_settings=self._settings,
            reset=_keep_session,
        )
        assert pool is not None
        return pool

    async def run(self, work: Callable[[Executor], T], durable: bool) -> T:
        pool = await self._pool()
        try:
            connection = await pool.acquire()
        except DRIVER_ERRORS as exc:
            raise translate(exc, "connect", None) from exc
        # Whether the connection ended the unit idle and out of any transaction. One that did not (its
        # server went away, or a ROLLBACK failed half-way) is closed, never handed to the next unit:
        # the pool, resetting nothing (_keep_session), would not notice.
        idle = False
        try:
            # One round trip either way: a simple query may hold both statements.
            await connection.execute(_BEGIN if durable else _BEGIN_FLUSHED_LATER)
            try:
                result: T = await greenlet_spawn(work, AsyncpgExecutor(connection))
            except BaseException:
                with contextlib.suppress(BaseException):
                    await connection.execute("ROLLBACK")
                    idle = True
                raise
            await connection.execute("COMMIT")
            idle = True
            return result
        except DRIVER_ERRORS as exc:
            # BEGIN or COMMIT; a statement's own errors are translated where it ran.
            raise translate(exc, "BEGIN/COMMIT", connection) from exc
        finally:
            if not idle:
                with contextlib.suppress(asyncpg.InterfaceError):  # closed already, and taken back by the pool
                    connection.terminate()
            # The unit's outcome stands whatever releasing says.
            with contextlib.suppress(Exception):
                await pool.release(connection)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        pools, self._pools = self._pools, {}
        for owner, opening in pools.items():
            if not opening.done() or opening.cancelled() or opening.exception() is not None:
                continue
            if owner is loop:
                await opening.result().close()
            else:
                opening.result().terminate()


async def _keep_session(_connection: Any) -> None:
    """Units change no session state (no SET, LISTEN, cursors or advisory locks) and always end their
    transaction, so a connection goes back to the pool as it is: asyncpg's default reset would cost
    every unit another round trip."""
