"""SQL of accounts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.registry.accounts.models import Account


def add(session: Session, account: Account) -> None:
    """Insert a new account."""
    session.add(account)
    session.flush()


def get(session: Session, account_id: str) -> Account | None:
    """An account by id."""
    return session.get(Account, account_id)
