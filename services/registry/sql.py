"""Statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, Table
from sqlalchemy.dialects import postgresql, sqlite

from shared.db.executor import Executor, dialect_name

_INSERTS_IF_ABSENT: dict[tuple[str, str, tuple[str, ...]], Executable] = {}


def _insert_if_absent(dialect: str, table: Table, keys: Sequence[str]) -> Executable:
    # Built once per table and key: the values travel as parameters, so one statement serves every call.
    found = _INSERTS_IF_ABSENT.get((dialect, table.name, tuple(keys)))
    if found is None:
        module: Any = postgresql if dialect == "postgresql" else sqlite
        # RETURNING tells whether the row went in: drivers do not agree on rowcount for this statement.
        found = module.insert(table).on_conflict_do_nothing(index_elements=list(keys)).returning(table.c[keys[0]])
        _INSERTS_IF_ABSENT[(dialect, table.name, tuple(keys))] = found
    return found


def insert_if_absent(session: Executor, table: Table, values: dict[str, Any], keys: Sequence[str]) -> bool:
    """INSERT ... ON CONFLICT (keys) DO NOTHING; True if this call inserted the row.

    On PostgreSQL a concurrent uncommitted insert of the same key makes this wait for that
    transaction's outcome instead of failing, so racing writers agree without a retry.
    """
    statement = _insert_if_absent(dialect_name(session), table, keys)
    return session.execute(statement, values).first() is not None
