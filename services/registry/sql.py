"""Statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, table: Table, values: dict[str, Any], keys: Sequence[str]) -> bool:
    """INSERT ... ON CONFLICT (keys) DO NOTHING; True if this call inserted the row.

    On PostgreSQL a concurrent uncommitted insert of the same key makes this wait for that
    transaction's outcome instead of failing, so racing writers agree without a retry.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement: Any = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    # RETURNING tells whether the row went in: drivers do not agree on rowcount for this statement.
    returned = session.execute(statement.returning(table.c[keys[0]])).first()
    return returned is not None
