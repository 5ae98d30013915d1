"""SQL of accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select

from services.registry.accounts.models import Account
from shared.db.executor import Executor

_ACCOUNTS = cast(Table, Account.__table__)
# Every value-moving write reads its accounts: a plain row, by a statement built once.
_BY_ID = select(_ACCOUNTS).where(_ACCOUNTS.c.id == bindparam("account_id"))
_INSERT = insert(_ACCOUNTS)


@dataclass(frozen=True)
class AccountRecord:
    """An account as stored."""

    id: str
    owner: str
    kind: str
    name: str
    created_at: datetime


def add(session: Executor, values: dict[str, Any]) -> None:
    """Insert a new account (id, owner, kind, name, created_at)."""
    session.execute(_INSERT, values)


def get(session: Executor, account_id: str) -> AccountRecord | None:
    """An account by id."""
    row = session.execute(_BY_ID, {"account_id": account_id}).first()
    return None if row is None else AccountRecord(row.id, row.owner, row.kind, row.name, row.created_at)
