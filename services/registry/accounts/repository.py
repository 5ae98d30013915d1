"""SQL of accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from services.registry.accounts.models import Account

_ACCOUNTS = cast(Table, Account.__table__)
# Every value-moving write reads its accounts: a plain row, by a statement built once.
_BY_ID = select(_ACCOUNTS).where(_ACCOUNTS.c.id == bindparam("account_id"))


@dataclass(frozen=True)
class AccountRecord:
    """An account as stored."""

    id: str
    owner: str
    kind: str
    name: str
    created_at: datetime


def add(session: Session, account: Account) -> None:
    """Insert a new account."""
    session.add(account)
    session.flush()


def get(session: Session, account_id: str) -> AccountRecord | None:
    """An account by id."""
    row = session.execute(_BY_ID, {"account_id": account_id}).first()
    return None if row is None else AccountRecord(row.id, row.owner, row.kind, row.name, row.created_at)
