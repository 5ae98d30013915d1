"""SQLAlchemy Core statements run on asyncpg: the registry's write path on PostgreSQL.

SQLAlchemy builds every statement, as everywhere else; this module only runs them. Each statement is
compiled once for asyncpg's dialect (per set of parameter names, which decide an INSERT's columns or
an UPDATE's SET clause) and its SQL handed to asyncpg, which prepares it once per connection. That
skips SQLAlchemy's per-execution work (cache key, execution context, result metadata), which cost
more than the statement itself on the ledger's short statements (``docs/scaling.md`` section 3).

What it supports, and refuses loudly otherwise: SELECT, and INSERT / UPDATE / DELETE with or without
RETURNING; one parameter mapping, or a list of them (an executemany; with RETURNING, one multi-row
INSERT); expanding IN parameters; bind processors (asyncpg's Boolean has one). Columns whose result
needs processing, Python-side column defaults and ORM entities are not supported: the registry's
tables have none on its write path. Errors come out as SQLAlchemy's exception classes with the
asyncpg error as ``orig`` (carrying its SQLSTATE), so retries, 409s and 503s work as they do on
SQLAlchemy's own connections.

Statements must not be rebuilt per call: the compiled form is cached by the statement object's
identity. One built per call still runs correctly, compiled each time.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Executable, bindparam
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InvalidRequestError,
    MultipleResultsFound,
    NoResultFound,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, UpdateBase
from sqlalchemy.sql.selectable import Select
from sqlalchemy.util import await_

from shared.problems import InvalidInput

DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]
_CACHE_SIZE = 1024
# SQLSTATE classes: 08 connection exception, 57P operator intervention (shutdown), 53 insufficient
# resources, 40 transaction rollback (serialization failure, deadlock), 55 object not in prerequisite
# state (lock not available).
_OPERATIONAL = ("08", "57P", "53", "40", "55")
_MAX_BIND_PARAMETERS = 32767  # the protocol's limit per statement
# What asyncpg raises: the server's errors, and the client's own when a connection broke or is unusable.
DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError, TimeoutError)


# One positional parameter, resolved once: the name callers give it, its name in the compiled
# statement (they differ for anonymous literals), whether a value is required, its default, and the
# dialect's bind processor if it has one.
_Slot = tuple[str, str, bool, Any, Callable[[Any], Any] | None]


@dataclass(frozen=True)
class _Compiled:
    statement: Executable  # held so that its id cannot be reused while it is cached
    compiled: SQLCompiler
    columns: tuple[str, ...]  # names of the rows it returns; empty when it returns none
    row: Callable[[Any], Any]  # makes a row of a record
    sql: str
    slots: tuple[_Slot, ...] | None  # None when IN lists expand the SQL per call

    def arguments(self, parameters: dict[str, Any]) -> tuple[str, list[Any]]:
        """The SQL (expanded for IN lists) and its positional arguments, bind processors applied;
        text holding NUL is refused."""
        if self.slots is None:
            sql, arguments = self._expanded(parameters)
        else:
            sql, arguments = self.sql, []
            for key, name, required, default, process in self.slots:
                if key in parameters:
                    value = parameters[key]
                elif name in parameters:
                    value = parameters[name]
                elif required:
                    raise InvalidRequestError(f"A value is required for bind parameter {key!r}")
                else:
                    value = default
                arguments.append(value if process is None else process(value))
        for value in arguments:
            # As on SQLAlchemy's engines (shared/db/engine.py): PostgreSQL cannot store U+0000, and it
            # is the caller's input at fault.
            if value.__class__ is str and "\x00" in value:
                raise InvalidInput("Text may not contain the NUL character (U+0000).")
        return sql, arguments

    def _expanded(self, parameters: dict[str, Any]) -> tuple[str, list[Any]]:
        state = self.compiled.construct_expanded_state(parameters)
        values, processors, order = state.parameters, state.processors, state.positiontup or ()
        return state.statement, [
            processors[name](values[name]) if name in processors else values[name] for name in order
        ]


def _slots(compiled: SQLCompiler) -> tuple[_Slot, ...] | None:
    """The statement's parameters in position order; None if it must expand per call."""
    if compiled.post_compile_params or compiled.literal_execute_params:
        return None
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    slots = []
    for name in compiled.positiontup or ():
        bind = by_name[name]
        if bind.callable is not None:
            return None
        process = bind.type.dialect_impl(DIALECT).bind_processor(DIALECT)
        slots.append((bind.key, name, bind.required, None if bind.required else bind.value, process))
    return tuple(slots)


class _Cache:
    """Compiled statements by (statement identity, parameter names); the oldest out past the size.

    Read without the lock (a dict lookup is atomic): every statement of every unit looks here.
    """

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self._size = size
        self._entries: dict[tuple[Any, ...], _Compiled] = {}
        self._lock = threading.Lock()

    def get(self, statement: Executable, names: tuple[str, ...], rows: int = 1) -> _Compiled:
        key = (id(statement), names, rows)
        found = self._entries.get(key)
        if found is not None and found.statement is statement:
            return found
        compiled = _compile(statement, names, rows)
        with self._lock:
            self._entries[key] = compiled
            while len(self._entries) > self._size:
                del self._entries[next(iter(self._entries))]
        return compiled


def _checked(statement: Executable) -> Select[Any] | UpdateBase:
    if isinstance(statement, Select | UpdateBase):
        return statement
    raise TypeError(f"the registry's asyncpg executor runs Core SELECT, INSERT, UPDATE and DELETE, not {statement!r}")


def _columns(statement: Executable) -> tuple[str, ...]:
    return tuple(str(key) for key in _checked(statement).exported_columns.keys())


def _compile(statement: Executable, names: tuple[str, ...], rows: int) -> _Compiled:
    runnable = _checked(statement)
    if rows > 1:
        assert isinstance(runnable, Insert)
        table = runnable.table
        # One INSERT of many rows: each row's values are parameters of their own, named by position.
        many = runnable.values(
            [{name: bindparam(f"{name}__{i}", type_=table.c[name].type) for name in names} for i in range(rows)]
        )
        compiled = many.compile(dialect=DIALECT)
    else:
        compiled = runnable.compile(dialect=DIALECT, column_keys=list(names))
    assert isinstance(compiled, SQLCompiler)
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise TypeError(f"columns with Python-side defaults need a value on the ledger's write path: {statement}")
    for column in runnable.exported_columns:
        if _needs_result_processing(column.type):
            raise TypeError(f"result column {column.key} needs a conversion this executor does not do")
    columns = _columns(statement)
    return _Compiled(statement, compiled, columns, _row_class(columns)._make, compiled.string, _slots(compiled))


def _needs_result_processing(column_type: Any) -> bool:
    try:
        return column_type.dialect_impl(DIALECT).result_processor(DIALECT, None) is not None
    except TypeError:  # asyncpg's Numeric asks for the column's type oid: it converts
        return True


_CACHE = _Cache()


_ROW_CLASSES: dict[tuple[str, ...], Any] = {}


def _row_class(columns: tuple[str, ...]) -> Any:
    """Rows by position, or by column name as attributes, as SQLAlchemy's are (a named tuple)."""
    found = _ROW_CLASSES.get(columns)
    if found is None:
        found = _ROW_CLASSES[columns] = collections.namedtuple("Row", columns, rename=True)
    return found


class _Scalars:
    def __init__(self, values: list[Any]) -> None:
        self._values = values

    def all(self) -> Sequence[Any]:
        return self._values

    def first(self) -> Any:
        return self._values[0] if self._values else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)


class AsyncpgRows:
    """A statement's rows (or, for DML without RETURNING, only its row count)."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> Sequence[Any]:
        return self._rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise (NoResultFound("No row was found") if not self._rows else MultipleResultsFound("Multiple rows"))
        return self._rows[0]

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return self._rows[0][0] if self._rows else None

    def scalars(self) -> _Scalars:
        return _Scalars([row[0] for row in self._rows])


def _closed(connection: asyncpg.Connection | None) -> bool:
    if connection is None:
        return False
    try:
        return bool(connection.is_closed())
    except asyncpg.InterfaceError:  # the pool took back a connection that closed: it is gone
        return True


def translate(exc: BaseException, statement: str, connection: asyncpg.Connection | None) -> DBAPIError:
    """asyncpg's error as the SQLAlchemy exception the rest of the platform understands."""
    if isinstance(exc, asyncpg.PostgresError):
        code = str(getattr(exc, "sqlstate", "") or "")
        if code.startswith("23"):
            return IntegrityError(statement, None, exc, hide_parameters=True)
        if code.startswith(_OPERATIONAL):
            lost = isinstance(exc, asyncpg.PostgresConnectionError)
            return OperationalError(statement, None, exc, hide_parameters=True, connection_invalidated=lost)
        if code.startswith("22"):
            return DataError(statement, None, exc, hide_parameters=True)
        if code.startswith("42"):
            return ProgrammingError(statement, None, exc, hide_parameters=True)
        return DBAPIError(statement, None, exc, hide_parameters=True)
    if isinstance(exc, OSError | TimeoutError) or _closed(connection):
        return OperationalError(statement, None, exc, hide_parameters=True, connection_invalidated=True)
    return DBAPIError(statement, None, exc, hide_parameters=True)


class AsyncpgExecutor:
    """An ``Executor`` (shared/db/executor.py) on one asyncpg connection inside its transaction; its
    methods are called from a unit's greenlet, and wait for the driver on the event loop."""

    dialect = DIALECT

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    def execute(self, statement: Executable, parameters: Any = None, /) -> AsyncpgRows:
        if isinstance(parameters, list):
            return self._execute_many(statement, parameters)
        values: dict[str, Any] = parameters or {}
        # Keyed by the names in the caller's order: a unit names them the same way every time.
        compiled = _CACHE.get(statement, tuple(values))
        sql, arguments = compiled.arguments(values)
        if compiled.columns:
            records = self._call(sql, self._connection.fetch(sql, *arguments))
            make = compiled.row
            return AsyncpgRows([make(record) for record in records], len(records))
        status = self._call(sql, self._connection.execute(sql, *arguments))
        return AsyncpgRows([], _count(status))

    def _execute_many(self, statement: Executable, rows: list[dict[str, Any]]) -> AsyncpgRows:
        if not rows:
            return AsyncpgRows([], 0)
        names = tuple(sorted(rows[0]))
        if any(tuple(sorted(row)) != names for row in rows):
            raise ValueError("every row of an executemany must name the same parameters")
        if _columns(statement):
            return self._insert_returning(statement, names, rows)
        compiled = _CACHE.get(statement, names)
        sql = ""
        arguments = []
        for row in rows:
            sql, values = compiled.arguments(row)
            arguments.append(values)
        self._call(sql, self._connection.executemany(sql, arguments))
        return AsyncpgRows([], len(rows))

    def _insert_returning(
        self, statement: Executable, names: tuple[str, ...], rows: list[dict[str, Any]]
    ) -> AsyncpgRows:
        per_statement = max(1, _MAX_BIND_PARAMETERS // max(1, len(names)))
        found: list[Any] = []
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            if len(chunk) == 1:
                found.extend(self.execute(statement, chunk[0]))
                continue
            compiled = _CACHE.get(statement, names, len(chunk))
            numbered = {f"{name}__{i}": row[name] for i, row in enumerate(chunk) for name in names}
            sql, arguments = compiled.arguments(numbered)
            records = self._call(sql, self._connection.fetch(sql, *arguments))
            found.extend(compiled.row(record) for record in records)
        return AsyncpgRows(found, len(found))

    def _call(self, sql: str, operation: Any) -> Any:
        try:
            return await_(operation)
        except DRIVER_ERRORS as exc:
            raise translate(exc, sql, self._connection) from exc


def _count(status: str) -> int:
    """The row count of a command tag: ``UPDATE 1``, ``INSERT 0 3``, ``DELETE 0``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1
