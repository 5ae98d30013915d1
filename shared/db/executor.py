"""What repositories need of a database handle: run a SQLAlchemy Core statement and read its rows.

A SQLAlchemy ``Session`` or ``Connection`` is one. The registry's value-moving writes run on another,
which hands the same statements straight to the driver (``services/registry/units.py``). Code that
is given an ``Executor`` builds its statements with SQLAlchemy Core and reads rows by column name or
position; it does not use the ORM's identity map, ``add`` or ``flush``, so it runs on either.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy import Executable


class Scalars(Protocol):
    """The first column of every row."""

    def all(self) -> Sequence[Any]: ...

    def first(self) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


class Rows(Protocol):
    """A statement's result: rows with attribute and index access. A DML statement's count of
    changed rows is its ``rowcount`` attribute (read with ``shared.db.transactions.expect_rows``)."""

    def one(self) -> Any: ...

    def first(self) -> Any: ...

    def all(self) -> Sequence[Any]: ...

    def scalar(self) -> Any: ...

    def scalar_one(self) -> Any: ...

    def scalar_one_or_none(self) -> Any: ...

    def scalars(self) -> Scalars: ...

    def __iter__(self) -> Iterator[Any]: ...


class Executor(Protocol):
    """Runs statements inside the caller's transaction: one parameter mapping, or a list of them for
    an executemany."""

    def execute(self, statement: Executable, parameters: Any = None, /) -> Rows: ...


def dialect_name(executor: Any) -> str:
    """``postgresql`` or ``sqlite``: the database behind an executor (statements whose spelling differs
    between the two ask)."""
    dialect = getattr(executor, "dialect", None)
    if dialect is None:  # a Session knows its dialect through its bind
        dialect = executor.get_bind().dialect
    return str(dialect.name)
