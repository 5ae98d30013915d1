"""Issuing credits into accounts and transferring them between accounts."""

from __future__ import annotations

import json

from services.registry.accounts.service import require as require_account
from services.registry.accounts.service import require_holdings
from services.registry.auth import ensure_may_move
from services.registry.credits import movement, repository
from services.registry.credits.blocks import MAX_SERIAL, CreditBlock
from services.registry.credits.schemas import IssuanceCreate, IssuanceOut, SerialRangeOut, TransferCreate, TransferOut
from services.registry.identifiers import new_id, utc_now
from services.registry.log import service as log
from services.registry.projects.service import require as require_project
from shared.auth.tokens import Principal
from shared.db.executor import Executor
from shared.problems import InvalidInput


def serial_range(moved: movement.Moved) -> SerialRangeOut:
    """The API form of a moved or retired serial range."""
    source, block = moved.source, moved.block
    return SerialRangeOut(
        serial=block.serial,
        start=block.start,
        end=block.end,
        quantity_g=block.size,
        project_id=source.project_id,
        project_name=source.project_name,
        province=source.province,
        category=source.category,
        vintage=block.vintage,
    )


def issue(session: Executor, request: IssuanceCreate) -> IssuanceOut:
    """Issue a new block at the end of the project's vintage series (serials count from 1)."""
    project = require_project(session, request.project_id)
    account = require_account(session, request.account_id)
    counter = repository.series(session, project.id, request.vintage)
    start = counter.next_serial
    end = start + request.quantity - 1
    if end > MAX_SERIAL:
        raise InvalidInput(
            f"The series {project.code}-{request.vintage} has {MAX_SERIAL - start + 1} g of serials left; "
            f"{request.quantity} g were asked for."
        )
    repository.advance_series(session, counter, request.quantity)
    block = CreditBlock(project.unit_type, project.code, request.vintage, start, end)
    now = utc_now()
    repository.add_block(
        session,
        block_id=new_id("blk"),
        source=counter,
        block=block,
        project_id=project.id,
        account_id=account.id,
        retirement_id=None,
        created_at=now,
    )
    issuance_id = new_id("iss")
    repository.add_issuance(
        session,
        {
            "id": issuance_id,
            "project_id": project.id,
            "account_id": account.id,
            "series_id": counter.id,
            "vintage": request.vintage,
            "quantity": request.quantity,
            "serial_start": start,
            "serial_end": end,
            "created_at": now,
        },
    )
    log.queue_entry(
        session,
        "issuance",
        issuance_id,
        {
            "issuance_id": issuance_id,
            "project_id": project.id,
            "account_id": account.id,
            "unit_type": project.unit_type,
            "vintage": request.vintage,
            "quantity_g": request.quantity,
            "serial": block.serial,
        },
    )
    return IssuanceOut(
        id=issuance_id,
        project_id=project.id,
        account_id=account.id,
        unit_type=project.unit_type,
        vintage=request.vintage,
        quantity_g=request.quantity,
        serial=block.serial,
        start=start,
        end=end,
        log_index=log.PENDING_INDEX,
        issued_at=now,
    )


def transfer(session: Executor, principal: Principal, request: TransferCreate) -> TransferOut:
    """Move credits out of an account of the token's owner into another account."""
    source, held = require_holdings(session, request.from_account, request.unit_type)
    ensure_may_move(principal, source.owner, source.id)
    target = require_account(session, request.to_account)
    if target.id == source.id:
        raise InvalidInput("from_account and to_account must differ.")
    chosen = movement.choose(held, request.quantity, request.blocks)
    now = utc_now()
    moved = movement.move(session, chosen, target.id, None, now)
    serials = [m.block.serial for m in moved]
    transfer_id = new_id("trf")
    repository.add_transfer(
        session,
        {
            "id": transfer_id,
            "from_account": source.id,
            "to_account": target.id,
            "unit_type": request.unit_type,
            "quantity": request.quantity,
            "serials": json.dumps(serials),
            "created_at": now,
        },
    )
    log.queue_entry(
        session,
        "transfer",
        transfer_id,
        {
            "transfer_id": transfer_id,
            "from_account": source.id,
            "to_account": target.id,
            "unit_type": request.unit_type,
            "quantity_g": request.quantity,
            "serials": serials,
        },
    )
    return TransferOut(
        id=transfer_id,
        from_account=source.id,
        to_account=target.id,
        unit_type=request.unit_type,
        quantity_g=request.quantity,
        serial_ranges=[serial_range(m) for m in moved],
        log_index=log.PENDING_INDEX,
        transferred_at=now,
    )
