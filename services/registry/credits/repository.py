"""SQL of credit series, blocks, issuances and transfers.

Blocks move only by conditional updates: ``WHERE id = :id AND account_id = :from AND state =
'held' AND version = :version``. A statement that touches no row means another transaction moved
the block first, and ``expect_rows`` raises ConcurrentUpdate so the whole unit runs again on fresh
reads. This holds on SQLite and PostgreSQL alike; no ``SELECT ... FOR UPDATE`` is needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, insert, select, update

from services.registry.accounts.models import Account
from services.registry.accounts.repository import AccountRecord
from services.registry.credits.blocks import CreditBlock
from services.registry.credits.models import BlockRecord, CreditSeries, Issuance, Transfer
from services.registry.projects.models import Project
from services.registry.sql import insert_if_absent
from shared.db.executor import Executor
from shared.db.transactions import expect_rows

_BLOCKS = cast(Table, BlockRecord.__table__)
_SERIES = cast(Table, CreditSeries.__table__)
_INSERT_BLOCK = insert(_BLOCKS)
_INSERT_ISSUANCE = insert(cast(Table, Issuance.__table__))
_INSERT_TRANSFER = insert(cast(Table, Transfer.__table__))


@dataclass(frozen=True)
class BlockView:
    """A credit block row with the project facts a retirement or a serial needs."""

    id: str
    series_id: int
    project_id: str
    project_code: str
    project_name: str
    province: str
    category: str
    new_sink: bool
    unit_type: str
    vintage: int
    serial_start: int
    serial_end: int
    quantity: int
    account_id: str
    state: str
    retirement_id: str | None
    version: int

    @cached_property
    def block(self) -> CreditBlock:
        """The block as the pure domain sees it (validated once per view)."""
        return CreditBlock(self.unit_type, self.project_code, self.vintage, self.serial_start, self.serial_end)

    @property
    def serial(self) -> str:
        """The block's serial string."""
        return self.block.serial


@dataclass(frozen=True)
class HoldingRow:
    """Grams held of one unit type, project and vintage."""

    unit_type: str
    project_id: str
    project_code: str
    vintage: int
    quantity: int


_BLOCK_COLUMNS = (
    BlockRecord.id,
    BlockRecord.series_id,
    BlockRecord.project_id,
    Project.code,
    Project.name,
    Project.province,
    Project.category,
    Project.new_sink,
    BlockRecord.unit_type,
    BlockRecord.vintage,
    BlockRecord.serial_start,
    BlockRecord.serial_end,
    BlockRecord.quantity,
    BlockRecord.account_id,
    BlockRecord.state,
    BlockRecord.retirement_id,
    BlockRecord.version,
)


def _block_query() -> Select[*tuple[Any, ...]]:
    return select(*_BLOCK_COLUMNS).join(Project, Project.id == BlockRecord.project_id)


def _view(row: Any) -> BlockView:
    return BlockView(
        id=row.id,
        series_id=int(row.series_id),
        project_id=row.project_id,
        project_code=row.code,
        project_name=row.name,
        province=row.province,
        category=row.category,
        new_sink=bool(row.new_sink),
        unit_type=row.unit_type,
        vintage=int(row.vintage),
        serial_start=int(row.serial_start),
        serial_end=int(row.serial_end),
        quantity=int(row.quantity),
        account_id=row.account_id,
        state=row.state,
        retirement_id=row.retirement_id,
        version=int(row.version),
    )


_HELD_ORDER = (BlockRecord.unit_type, BlockRecord.vintage, Project.code, BlockRecord.serial_start)
_HELD = (
    _block_query()
    .where(BlockRecord.account_id == bindparam("account_id"), BlockRecord.state == "held")
    .order_by(*_HELD_ORDER)
    .limit(bindparam("limit"))
)


_ACCOUNTS = cast(Table, Account.__table__)


Extension = Callable[[Select[*tuple[Any, ...]]], Select[*tuple[Any, ...]]]


def _holder_query(of_type: bool, extension: Extension | None) -> Select[*tuple[Any, ...]]:
    # The account and its held blocks in one round trip: LEFT JOINs keep the account's row when it
    # holds nothing (then the block columns are NULL).
    a, b = _ACCOUNTS.c, BlockRecord
    held = (b.account_id == a.id) & (b.state == "held")
    if of_type:
        held &= b.unit_type == bindparam("unit_type")
    query = (
        select(
            *_BLOCK_COLUMNS,
            a.owner.label("holder_owner"),
            a.kind.label("holder_kind"),
            a.name.label("holder_name"),
            a.created_at.label("holder_since"),
        )
        .select_from(_ACCOUNTS)
        .outerjoin(BlockRecord, held)
        .outerjoin(Project, Project.id == b.project_id)
        .where(a.id == bindparam("account_id"))
        .order_by(*_HELD_ORDER)
    )
    return query if extension is None else extension(query)


# Built once per shape: every value-moving write runs one, and building a statement costs more than running it.
_HOLDERS: dict[tuple[bool, Extension | None], Select[*tuple[Any, ...]]] = {}


def account_with_holdings(
    session: Executor,
    account_id: str,
    unit_type: str | None = None,
    extension: Extension | None = None,
    parameters: dict[str, Any] | None = None,
) -> tuple[AccountRecord | None, list[BlockView], Any]:
    """The account (None if there is none) and the blocks it holds, of one unit type if given, in the
    order of ``held_blocks``: every value-moving write reads both, so they come in one statement.

    ``extension`` adds what else the write needs to the same statement (columns with their own
    ``parameters``), read from the third value: the statement's first row, or None without an account.
    """
    shape = (unit_type is not None, extension)
    statement = _HOLDERS.get(shape)
    if statement is None:
        statement = _HOLDERS[shape] = _holder_query(*shape)
    values = {"account_id": account_id, **(parameters or {})}
    if unit_type is not None:
        values["unit_type"] = unit_type
    rows = session.execute(statement, values).all()
    if not rows:
        return None, [], None
    first = rows[0]
    account = AccountRecord(account_id, first.holder_owner, first.holder_kind, first.holder_name, first.holder_since)
    return account, [_view(row) for row in rows if row.id is not None], first


def held_blocks(session: Executor, account_id: str, limit: int) -> list[BlockView]:
    """The first ``limit`` blocks an account holds, by unit type, oldest vintage and lowest serial first."""
    return [_view(row) for row in session.execute(_HELD, {"account_id": account_id, "limit": limit})]


def retired_blocks(session: Executor, retirement_ids: Iterable[str]) -> dict[str, list[BlockView]]:
    """The blocks each retirement retired, in serial order."""
    wanted = sorted(set(retirement_ids))
    found: dict[str, list[BlockView]] = defaultdict(list)
    if not wanted:
        return found
    query = (
        _block_query()
        .where(BlockRecord.retirement_id.in_(wanted))
        .order_by(BlockRecord.vintage, Project.code, BlockRecord.serial_start)
    )
    for row in session.execute(query):
        view = _view(row)
        assert view.retirement_id is not None
        found[view.retirement_id].append(view)
    return found


def holdings(session: Executor, account_id: str) -> list[HoldingRow]:
    """Grams held by unit type, project and vintage."""
    b = BlockRecord
    rows = session.execute(
        select(b.unit_type, b.project_id, Project.code, b.vintage, func.sum(b.quantity))
        .join(Project, Project.id == b.project_id)
        .where(b.account_id == account_id, b.state == "held")
        .group_by(b.unit_type, b.project_id, Project.code, b.vintage)
        .order_by(b.unit_type, b.vintage, Project.code)
    ).all()
    return [HoldingRow(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]


@dataclass(frozen=True)
class SeriesCounter:
    """The serial counter of one series as read: the next free serial and the row's version."""

    id: int
    next_serial: int
    version: int


def series(session: Executor, project_id: str, vintage: int) -> SeriesCounter:
    """The serial counter of a project's vintage, created at 1 on first use."""
    insert_if_absent(
        session,
        _SERIES,
        {"project_id": project_id, "vintage": vintage, "next_serial": 1, "version": 0},
        ["project_id", "vintage"],
    )
    row = session.execute(_SERIES_OF, {"project_id": project_id, "vintage": vintage}).one()
    return SeriesCounter(int(row.id), int(row.next_serial), int(row.version))


_SERIES_OF = select(_SERIES.c.id, _SERIES.c.next_serial, _SERIES.c.version).where(
    _SERIES.c.project_id == bindparam("project_id"), _SERIES.c.vintage == bindparam("vintage")
)
_ADVANCE = update(_SERIES).where(_SERIES.c.id == bindparam("read_id"), _SERIES.c.version == bindparam("read_version"))


def advance_series(session: Executor, counter: SeriesCounter, quantity: int) -> None:
    """Move the counter past ``quantity`` serials, conditional on the version read."""
    result = session.execute(
        _ADVANCE,
        {
            "read_id": counter.id,
            "read_version": counter.version,
            "next_serial": counter.next_serial + quantity,
            "version": counter.version + 1,
        },
    )
    expect_rows(result)


def add_block(
    session: Executor,
    *,
    block_id: str,
    source: BlockView | SeriesCounter,
    block: CreditBlock,
    project_id: str,
    account_id: str,
    retirement_id: str | None,
    created_at: datetime,
) -> None:
    """Insert a block (an issuance, or the tail of a split)."""
    series_id = source.series_id if isinstance(source, BlockView) else source.id
    session.execute(
        _INSERT_BLOCK,
        {
            "id": block_id,
            "series_id": series_id,
            "project_id": project_id,
            "unit_type": block.unit_type,
            "vintage": block.vintage,
            "serial_start": block.start,
            "serial_end": block.end,
            "quantity": block.size,
            "account_id": account_id,
            "state": "held" if retirement_id is None else "retired",
            "retirement_id": retirement_id,
            "version": 0,
            "created_at": created_at,
        },
    )


# The conditional moves, built once: a block moves only if it is still where, and as, it was read.
_STILL_HELD = (
    (_BLOCKS.c.id == bindparam("read_id"))
    & (_BLOCKS.c.account_id == bindparam("read_account"))
    & (_BLOCKS.c.state == "held")
    & (_BLOCKS.c.version == bindparam("read_version"))
)
# What changes is named by the parameters: account and version, or the serial end and quantity.
_MOVE = update(_BLOCKS).where(_STILL_HELD)
_RETIRE = _MOVE.values(state="retired")


def _as_read(view: BlockView) -> dict[str, Any]:
    return {"read_id": view.id, "read_account": view.account_id, "read_version": view.version}


def take_whole(session: Executor, view: BlockView, to_account: str, retirement_id: str | None) -> None:
    """Move a whole held block to another account, or retire it, if nobody moved it first."""
    values: dict[str, Any] = {**_as_read(view), "account_id": to_account, "version": view.version + 1}
    if retirement_id is None:
        expect_rows(session.execute(_MOVE, values))
    else:
        expect_rows(session.execute(_RETIRE, {**values, "retirement_id": retirement_id}))


def shrink(session: Executor, view: BlockView, kept: CreditBlock) -> None:
    """Cut a held block down to the head its holder keeps, if nobody moved it first."""
    values = {**_as_read(view), "serial_end": kept.end, "quantity": kept.size, "version": view.version + 1}
    expect_rows(session.execute(_MOVE, values))


def add_issuance(session: Executor, values: dict[str, Any]) -> None:
    """Insert an issuance record."""
    session.execute(_INSERT_ISSUANCE, values)


def add_transfer(session: Executor, values: dict[str, Any]) -> None:
    """Insert a transfer record."""
    session.execute(_INSERT_TRANSFER, values)
