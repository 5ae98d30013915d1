"""Opening accounts and reading them with their holdings."""

from __future__ import annotations

from typing import cast

from services.registry.accounts import repository
from services.registry.accounts.schemas import (
    BLOCKS_SHOWN,
    AccountCreate,
    AccountKind,
    AccountOut,
    HeldBlockOut,
    Holding,
)
from services.registry.auth import ensure_may_open_for, ensure_may_read
from services.registry.credits import repository as credits
from services.registry.identifiers import aware, new_id, utc_now
from services.registry.log import service as log
from shared.auth.tokens import Principal
from shared.db.executor import Executor
from shared.problems import NotFound


def open_account(session: Executor, principal: Principal, request: AccountCreate) -> AccountOut:
    """Open an account; persons' names and owners stay out of the public log."""
    ensure_may_open_for(principal, request.owner)
    account_id, now = new_id("acc"), utc_now()
    values = {"id": account_id, "owner": request.owner, "kind": request.kind, "name": request.name, "created_at": now}
    repository.add(session, values)
    facts: dict[str, object] = {"account_id": account_id, "account_kind": request.kind}
    if request.kind != "person":
        facts.update(owner=request.owner, name=request.name)
    log.queue_entry(session, "account.opened", account_id, facts)
    return AccountOut(
        id=account_id,
        owner=request.owner,
        kind=request.kind,
        name=request.name,
        created_at=now,
        log_index=log.PENDING_INDEX,
    )


def require(session: Executor, account_id: str) -> repository.AccountRecord:
    """The account, or 404."""
    account = repository.get(session, account_id)
    if account is None:
        raise NotFound(f"No account {account_id}.")
    return account


def require_holdings(
    session: Executor, account_id: str, unit_type: str | None = None
) -> tuple[repository.AccountRecord, list[credits.BlockView]]:
    """The account and the blocks it holds (of one unit type if given), or 404."""
    account, held, _ = credits.account_with_holdings(session, account_id, unit_type)
    if account is None:
        raise NotFound(f"No account {account_id}.")
    return account, held


def read_account(session: Executor, principal: Principal, account_id: str) -> AccountOut:
    """An account with its holdings by unit type, project and vintage, and its blocks."""
    account = require(session, account_id)
    ensure_may_read(principal, account.owner)
    blocks = credits.held_blocks(session, account.id, limit=BLOCKS_SHOWN + 1)
    return AccountOut(
        id=account.id,
        owner=account.owner,
        kind=cast(AccountKind, account.kind),
        name=account.name,
        created_at=aware(account.created_at),
        holdings=[
            Holding(
                unit_type=h.unit_type,
                project_id=h.project_id,
                project_code=h.project_code,
                vintage=h.vintage,
                quantity_g=h.quantity,
            )
            for h in credits.holdings(session, account.id)
        ],
        blocks=[
            HeldBlockOut(
                serial=b.serial,
                unit_type=b.unit_type,
                project_id=b.project_id,
                vintage=b.vintage,
                start=b.serial_start,
                end=b.serial_end,
                quantity_g=b.quantity,
            )
            for b in blocks[:BLOCKS_SHOWN]
        ],
        blocks_truncated=len(blocks) > BLOCKS_SHOWN,
    )
