"""Engines for SQLite and PostgreSQL: one per service, each service in its own file or schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shared.problems import InvalidInput

WRITE_OPTION = "lingtan_write"
CONNECT_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Database:
    """A service's engine, its schema (PostgreSQL) and session factories for reads and writes."""

    engine: Engine
    schema: str | None
    reads: sessionmaker[Session]
    writes: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded default."""
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level so the BEGIN below is ours to choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A write transaction takes the write lock up front: SQLite cannot upgrade a read lock
        # while another writer waits, and would fail with "database is locked" instead of queuing.
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def _refuse_nul_characters(engine: Engine) -> None:
    # PostgreSQL cannot hold U+0000 in text and fails the statement; SQLite's string functions stop at
    # it, so a LIKE pattern "%\x00%" matches every row. Either way it is the caller's input at fault.
    @event.listens_for(engine, "before_cursor_execute")
    def _check(_conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, many: bool) -> None:
        for row in parameters if many else (parameters,):
            values = row.values() if isinstance(row, dict) else row or ()
            if any(isinstance(value, str) and "\x00" in value for value in values):
                raise InvalidInput("Text may not contain the NUL character (U+0000).")


def _configure_postgres_schema(engine: Engine, schema: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{schema}"')
        dbapi_connection.commit()


def connect(url: str, schema: str | None = None, pool_size: int = 20) -> Database:
    """Open a service's database; on PostgreSQL its tables live in `schema`, created if missing.

    On PostgreSQL the pool keeps ``pool_size`` connections and opens up to half as many more for a
    burst, closing those when they come back."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        schema = None
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size // 2)
        if "connect_timeout" not in parsed.query:
            # A server that does not answer at all (not merely refusing) must give a 503, not a hang.
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        engine = create_engine(parsed, **kwargs)
        if schema:
            # The listener comes first so that no pooled connection, this one included, misses it.
            _configure_postgres_schema(engine, schema)
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    _refuse_nul_characters(engine)
    writer = engine.execution_options(**{WRITE_OPTION: True})
    return Database(
        engine=engine,
        schema=schema,
        reads=sessionmaker(engine, expire_on_commit=False),
        writes=sessionmaker(writer, expire_on_commit=False),
    )
