"""Conservation, as a property: after any sequence of issue / transfer / retire / donate, every gram
issued is either held or retired (per project and vintage), and no two serial ranges overlap.

The operations run as the registry runs its writes: units of work on the unit runner (asyncpg on
PostgreSQL, SQLAlchemy on SQLite)."""

from __future__ import annotations

import asyncio
import secrets
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.registry.accounts.schemas import AccountCreate
from services.registry.accounts.service import open_account
from services.registry.credits.models import BlockRecord, CreditSeries, Issuance
from services.registry.credits.schemas import IssuanceCreate, TransferCreate
from services.registry.credits.service import issue, transfer
from services.registry.projects.schemas import ProjectCreate
from services.registry.projects.service import file_project
from services.registry.retirements.models import Retirement
from services.registry.retirements.schemas import DonationCreate, RetirementCreate
from services.registry.retirements.service import retire
from services.registry.units import UnitRunner
from shared.problems import Problem
from tests.registry.conftest import Ledger, principal

OWNER = "org:property"
ACCOUNTS = 3  # an organization, a person and an event (which may not donate)
PROJECTS = 2
grams = st.integers(min_value=1, max_value=6_000)
account = st.integers(min_value=0, max_value=ACCOUNTS - 1)
EVENTS = ("evt-a", "evt-b")
event = st.sampled_from(EVENTS)
operations = st.one_of(
    st.tuples(st.just("issue"), st.integers(0, PROJECTS - 1), account, st.sampled_from([2021, 2022, 2023]), grams),
    st.tuples(st.just("transfer"), account, account, grams),
    st.tuples(st.just("retire"), account, event, grams),
    st.tuples(st.just("donate"), account, event, grams),
)


async def _setup(units: UnitRunner) -> tuple[list[str], list[str]]:
    actor = principal(OWNER)

    def work(session: Any) -> tuple[list[str], list[str]]:
        accounts = [
            open_account(session, actor, AccountCreate(owner=OWNER, kind=kind, name=kind)).id
            for kind in ("organization", "person", "event")
        ]
        projects = [
            file_project(
                session,
                ProjectCreate(
                    name=f"p{i}",
                    code=f"P{secrets.token_hex(4).upper()}",
                    unit_type="HNCI",
                    province="CN-HI",
                    category="ocean",
                    methodology="m",
                    new_sink=i == 1,
                ),
            ).id
            for i in range(PROJECTS)
        ]
        return accounts, projects

    return await units.run(work)


async def _apply(units: UnitRunner, op: tuple[Any, ...], accounts: list[str], projects: list[str]) -> None:
    actor = principal(OWNER)
    kind = op[0]

    def work(session: Any) -> None:
        if kind == "issue":
            _, p, a, vintage, q = op
            issue(session, IssuanceCreate(project_id=projects[p], account_id=accounts[a], vintage=vintage, quantity=q))
        elif kind == "transfer":
            _, a, b, q = op
            transfer(
                session,
                actor,
                TransferCreate(from_account=accounts[a], to_account=accounts[b], quantity=q, unit_type="HNCI"),
            )
        elif kind == "retire":
            _, a, e, q = op
            retire(
                session,
                actor,
                RetirementCreate(
                    event_id=e, from_account=accounts[a], quantity=q, unit_type="HNCI", beneficiary="b", reason="r"
                ),
            )
        else:
            _, a, e, q = op
            retire(session, actor, DonationCreate(event_id=e, from_account=accounts[a], quantity=q))

    try:
        await units.run(work)
    except Problem:
        pass  # refused (short holdings, same account, a bound project, an event account donating): nothing moved


def _check(ledger: Ledger, projects: list[str]) -> None:
    with ledger.database.reads() as session:
        issued = dict(
            session.execute(
                select(Issuance.series_id, func.sum(Issuance.quantity))
                .where(Issuance.project_id.in_(projects))
                .group_by(Issuance.series_id)
            ).all()
        )
        blocks = session.execute(
            select(
                BlockRecord.series_id,
                BlockRecord.serial_start,
                BlockRecord.serial_end,
                BlockRecord.state,
                BlockRecord.quantity,
                BlockRecord.retirement_id,
            )
            .where(BlockRecord.project_id.in_(projects))
            .order_by(BlockRecord.series_id, BlockRecord.serial_start)
        ).all()
        counters = dict(
            session.execute(
                select(CreditSeries.id, CreditSeries.next_serial).where(CreditSeries.project_id.in_(projects))
            ).all()
        )
        retired = dict(
            session.execute(
                select(Retirement.id, Retirement.quantity).where(
                    Retirement.id.in_({b.retirement_id for b in blocks if b.retirement_id})
                )
            ).all()
        )
    by_state: dict[int, dict[str, int]] = defaultdict(lambda: {"held": 0, "retired": 0})
    per_retirement: dict[str, int] = defaultdict(int)
    previous: dict[int, int] = {}
    for block in blocks:
        by_state[block.series_id][block.state] += block.quantity
        assert block.serial_start > previous.get(block.series_id, 0), "two serial ranges overlap"
        previous[block.series_id] = block.serial_end
        if block.retirement_id:
            per_retirement[block.retirement_id] += block.quantity
    for series_id, total in issued.items():
        assert total == by_state[series_id]["held"] + by_state[series_id]["retired"], "issued != held + retired"
        assert previous[series_id] == counters[series_id] - 1 == total, "serials are issued once, without gaps"
    assert per_retirement == retired


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operations, min_size=1, max_size=12))
def test_issued_equals_held_plus_retired_and_ranges_never_overlap(ledger: Ledger, ops: list[tuple[Any, ...]]) -> None:
    async def run() -> list[str]:
        units = UnitRunner(ledger.database, pool_size=2)
        try:
            accounts, projects = await _setup(units)
            for op in ops:
                await _apply(units, op, accounts, projects)
            return projects
        finally:
            await units.close()

    for event_id in EVENTS:
        ledger.know_event(event_id, OWNER)
    _check(ledger, asyncio.run(run()))
