"""Units of work: the registry's write path, on SQLite through SQLAlchemy and on PostgreSQL through asyncpg.

The same statements must give the same rows, counts and errors either way, so every value-moving
write behaves alike on both databases; a lost race runs the unit again, and a unit that fails leaves
nothing behind.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError, InvalidRequestError, OperationalError

from services.registry.accounts import repository as accounts
from services.registry.accounts.models import Account
from services.registry.credits import repository as credits
from services.registry.credits.schemas import IssuanceCreate
from services.registry.credits.service import issue
from services.registry.events import repository as events
from services.registry.identifiers import aware
from services.registry.projects.schemas import ProjectCreate
from services.registry.projects.service import file_project
from services.registry.units import ATTEMPTS, UnitRunner
from shared.db.errors import database_unavailable
from shared.db.executor import Executor
from shared.db.transactions import ConcurrentUpdate, run_in_transaction
from shared.problems import InvalidInput
from tests.registry.conftest import Ledger

T = TypeVar("T")
POSTGRES_URL = os.environ.get("LINGTAN_TEST_DATABASE_URL")
postgres_only = pytest.mark.skipif(not POSTGRES_URL, reason="the asyncpg executor runs on PostgreSQL only")


def _run(ledger: Ledger, use: Callable[[UnitRunner], Awaitable[T]]) -> T:
    """Run ``use`` with a unit runner on an event loop, as the registry's requests do; close its pool."""

    async def run() -> T:
        runner = UnitRunner(ledger.database, pool_size=4)
        try:
            return await use(runner)
        finally:
            await runner.close()

    return asyncio.run(run())


OPENED = datetime(2026, 12, 7, 8, 30, 15, 123456, tzinfo=UTC)


def _account(account_id: str, owner: str = "org:units") -> dict[str, Any]:
    return {"id": account_id, "owner": owner, "kind": "organization", "name": "units", "created_at": OPENED}


def _stored(ledger: Ledger, account_id: str) -> accounts.AccountRecord | None:
    with ledger.database.reads() as session:
        return accounts.get(session, account_id)


def test_a_unit_commits_what_it_wrote(ledger: Ledger) -> None:
    async def use(runner: UnitRunner) -> str:
        def work(session: Executor) -> str:
            accounts.add(session, _account("acc_units_1"))
            found = accounts.get(session, "acc_units_1")  # its own write is visible inside the unit
            assert found is not None
            return found.owner

        return await runner.run(work)

    assert _run(ledger, use) == "org:units"
    stored = _stored(ledger, "acc_units_1")
    assert stored is not None and stored.kind == "organization"
    assert aware(stored.created_at) == OPENED  # SQLite keeps UTC without the zone; the instant is the same


def test_a_unit_that_fails_leaves_nothing_behind(ledger: Ledger) -> None:
    async def use(runner: UnitRunner) -> None:
        def work(session: Executor) -> None:
            accounts.add(session, _account("acc_units_2"))
            raise ValueError("refused after writing")

        await runner.run(work)

    with pytest.raises(ValueError, match="refused after writing"):
        _run(ledger, use)
    assert _stored(ledger, "acc_units_2") is None


def test_a_lost_race_runs_the_whole_unit_again(ledger: Ledger) -> None:
    attempts = 0

    async def use(runner: UnitRunner) -> int:
        def work(session: Executor) -> int:
            nonlocal attempts
            attempts += 1
            accounts.add(session, _account(f"acc_units_race_{attempts}"))
            if attempts < 3:
                raise ConcurrentUpdate("another writer moved the row first")
            return attempts

        return await runner.run(work)

    assert _run(ledger, use) == 3
    # Only the attempt that committed left its row.
    assert [_stored(ledger, f"acc_units_race_{n}") is not None for n in (1, 2, 3)] == [False, False, True]


def test_a_race_lost_every_time_is_given_up_after_the_last_attempt(ledger: Ledger) -> None:
    attempts = 0

    async def use(runner: UnitRunner) -> None:
        def work(session: Executor) -> None:
            nonlocal attempts
            attempts += 1
            raise ConcurrentUpdate("lost again")

        await runner.run(work)

    with pytest.raises(ConcurrentUpdate):
        _run(ledger, use)
    assert attempts == ATTEMPTS


def test_a_duplicate_key_is_run_again_only_when_asked(ledger: Ledger) -> None:
    run_in_transaction(ledger.database.writes, lambda session: accounts.add(session, _account("acc_units_dup")))
    attempts = 0

    def work(session: Executor) -> None:
        nonlocal attempts
        attempts += 1
        accounts.add(session, _account("acc_units_dup"))

    async def plain(runner: UnitRunner) -> None:
        await runner.run(work)

    with pytest.raises(IntegrityError):
        _run(ledger, plain)
    assert attempts == 1

    async def idempotent(runner: UnitRunner) -> None:
        await runner.run(work, retry_integrity=True)

    attempts = 0
    with pytest.raises(IntegrityError):
        _run(ledger, idempotent)
    assert attempts == ATTEMPTS


def _ledger_rows(session: Executor) -> dict[str, Any]:
    """What a unit reads back through the repositories, after filing, issuing and publishing."""
    holder, held, _ = credits.account_with_holdings(session, "acc_0a0b")
    _, none_held, _ = credits.account_with_holdings(session, "acc_0a0b", "SDCI")
    nobody, nothing, _ = credits.account_with_holdings(session, "acc_0dead")
    with_event = {
        event_id: events.event_in(
            credits.account_with_holdings(
                session, "acc_0a0b", None, events.with_event, events.event_parameters(event_id, "lt_test")
            )[2]
        )
        for event_id in ("evt_units", "evt_unknown")
    }
    return {
        "holder": holder,
        "held": held,
        "none_held": none_held,
        "nobody": (nobody, nothing),
        "with_event": with_event,
        "holdings": credits.holdings(session, "acc_0a0b"),
        "count": session.execute(select(func.count()).select_from(Account)).scalar_one(),
    }


def test_the_asyncpg_executor_reads_what_sqlalchemy_reads(ledger: Ledger) -> None:
    def write(session: Executor) -> None:
        accounts.add(session, _account("acc_0a0b"))
        project = file_project(
            session,
            ProjectCreate(
                name="rows", code="ROWS1", unit_type="HNCI", province="CN-HI", category="ocean", methodology="m"
            ),
        )
        for vintage in (2023, 2022):
            request = IssuanceCreate(project_id=project.id, account_id="acc_0a0b", vintage=vintage, quantity=5)
            issue(session, request)

    async def use(runner: UnitRunner) -> dict[str, Any]:
        await runner.run(write)
        return await runner.run(_ledger_rows)

    ledger.know_event("evt_units", "org:units")
    through_units = _run(ledger, use)
    through_sqlalchemy = run_in_transaction(ledger.database.writes, _ledger_rows)
    assert through_units == through_sqlalchemy
    known = through_units["with_event"]["evt_units"]
    assert known.owner == "org:units" and known.delegated is False
    assert through_units["with_event"]["evt_unknown"] is None
    assert [view.vintage for view in through_units["held"]] == [2022, 2023]  # oldest first
    assert through_units["none_held"] == [] and through_units["nobody"] == (None, [])
    assert aware(through_units["holder"].created_at) == OPENED


@postgres_only
def test_a_unit_told_its_changes_are_flushed_later_commits_without_waiting_for_the_disk(ledger: Ledger) -> None:
    def setting(session: Executor) -> str:
        return str(session.execute(select(func.current_setting("synchronous_commit"))).scalar_one())

    async def use(runner: UnitRunner) -> tuple[str, str, str]:
        later = await runner.run(setting, durable=False)
        durable = await runner.run(setting)
        after = await runner.run(setting)  # the connection goes back to the pool as it was
        return later, durable, after

    assert _run(ledger, use) == ("off", "on", "on")


@postgres_only
def test_statements_run_on_asyncpg_with_counts_many_rows_and_in_lists(ledger: Ledger) -> None:
    outbox = ledger.outbox
    table = outbox.tables.outbox

    async def use(runner: UnitRunner) -> tuple[Any, ...]:
        def work(session: Executor) -> tuple[Any, ...]:
            assert type(session).__name__ == "AsyncpgExecutor"
            # Several notifications in one multi-row INSERT ... RETURNING; deliveries to their receivers.
            outbox.publish_many(
                session,
                [
                    ("retirement.recorded", "rec-1", {"n": 1}),
                    ("account.opened", "rec-2", {"n": 2}),
                    ("cancellation.recorded", "rec-3", {"n": 3}),
                ],
            )
            messages = session.execute(select(table.c.record_id, table.c.seq).order_by(table.c.seq)).all()
            deliveries = outbox.tables.deliveries
            routed = session.execute(select(deliveries.c.message_seq, deliveries.c.receiver)).all()
            picked = session.execute(
                select(table.c.record_id).where(table.c.record_id.in_(["rec-1", "rec-3"])).order_by(table.c.record_id)
            ).scalars()
            moved = session.execute(
                table.update().where(table.c.record_id.in_(["rec-1", "rec-2"])).values(topic="moved")
            )
            return messages, routed, list(picked), moved.rowcount  # type: ignore[attr-defined]

        return await runner.run(work)

    messages, routed, picked, moved = _run(ledger, use)
    seq = {row.record_id: row.seq for row in messages}
    assert [row[0] for row in messages] == ["rec-1", "rec-2", "rec-3"]
    # Each delivery belongs to the message of its own topic: account.opened goes to nobody.
    assert sorted((row.message_seq, row.receiver) for row in routed) == [
        (seq["rec-1"], "disclosure"),
        (seq["rec-3"], "disclosure"),
    ]
    assert picked == ["rec-1", "rec-3"]
    assert moved == 2


@postgres_only
def test_a_multi_row_insert_past_the_protocol_limit_goes_in_several_statements(ledger: Ledger) -> None:
    outbox = ledger.outbox
    count = 7_000  # five parameters a row: 35,000 parameters, over the 32,767 one statement may carry

    async def use(runner: UnitRunner) -> int:
        def work(session: Executor) -> int:
            outbox.publish_many(session, [("account.opened", f"rec-{n}", {"n": n}) for n in range(count)])
            stored = session.execute(select(func.count()).select_from(outbox.tables.outbox)).scalar_one()
            return int(stored)

        return await runner.run(work)

    assert _run(ledger, use) == count


@postgres_only
def test_bad_statements_are_refused_with_the_errors_sqlalchemy_gives(ledger: Ledger) -> None:
    run_in_transaction(ledger.database.writes, lambda session: accounts.add(session, _account("acc_units_taken")))

    async def attempt(work: Callable[[Executor], Any]) -> BaseException:
        runner = UnitRunner(ledger.database, pool_size=2)
        try:
            await runner.run(work)
        except BaseException as exc:  # noqa: BLE001 - the error is what is checked
            return exc
        finally:
            await runner.close()
        raise AssertionError("the unit was not refused")

    def duplicate(session: Executor) -> None:
        accounts.add(session, _account("acc_units_taken"))

    def nul(session: Executor) -> None:
        accounts.add(session, _account("acc_units_nul", owner="org:\x00"))

    def missing(session: Executor) -> None:
        session.execute(select(Account.id).where(Account.id == bindparam("account_id")), {})

    def bad_value(session: Executor) -> None:
        accounts.add(session, {**_account("acc_units_long"), "id": "x" * 41})  # the column holds 40

    async def all_refusals() -> list[BaseException]:
        return [await attempt(work) for work in (duplicate, nul, missing, bad_value)]

    clash, text, unnamed, too_long = asyncio.run(all_refusals())
    assert isinstance(clash, IntegrityError) and clash.orig.sqlstate == "23505"  # type: ignore[union-attr]
    assert not database_unavailable(clash)
    assert isinstance(text, InvalidInput) and text.status == 422
    assert isinstance(unnamed, InvalidRequestError) and "account_id" in str(unnamed)
    assert not database_unavailable(too_long)
    for name in ("acc_units_nul", "acc_units_long"):
        assert _stored(ledger, name) is None


@postgres_only
def test_a_connection_lost_mid_unit_is_an_outage_and_the_next_unit_gets_a_fresh_one(ledger: Ledger) -> None:
    assert POSTGRES_URL is not None

    async def use(runner: UnitRunner) -> tuple[BaseException, str | None]:
        kills: list[asyncio.Task[None]] = []

        def killed(session: Executor) -> None:
            accounts.add(session, _account("acc_units_lost"))
            pid = session.execute(select(func.pg_backend_pid())).scalar_one()
            # Runs on the loop while this unit waits for its next statement.
            kills.append(asyncio.get_running_loop().create_task(_terminate(pid)))
            session.execute(select(func.pg_sleep(5)))

        try:
            await runner.run(killed)
        except OperationalError as exc:
            lost: BaseException = exc
        else:
            raise AssertionError("the unit survived its connection")
        await asyncio.gather(*kills)

        def after(session: Executor) -> str | None:
            accounts.add(session, _account("acc_units_after"))
            found = accounts.get(session, "acc_units_after")
            return None if found is None else found.id

        return lost, await runner.run(after)

    async def _terminate(pid: int) -> None:
        await asyncio.sleep(0.2)
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await connection.close()

    lost, after = _run(ledger, use)
    assert database_unavailable(lost), lost
    assert after == "acc_units_after"
    assert _stored(ledger, "acc_units_lost") is None


def test_notifications_published_by_a_unit_name_their_records(ledger: Ledger) -> None:
    async def use(runner: UnitRunner) -> None:
        def work(session: Executor) -> None:
            ledger.outbox.publish_many(
                session, [("retirement.recorded", "rec-a", {"a": 1}), ("retirement.recorded", "rec-b", {"b": 2})]
            )

        await runner.run(work)

    _run(ledger, use)
    table = ledger.outbox.tables.outbox
    with ledger.database.reads() as session:
        rows = session.execute(select(table.c.record_id, table.c.payload).order_by(table.c.seq)).all()
    assert [(row.record_id, json.loads(row.payload)) for row in rows] == [("rec-a", {"a": 1}), ("rec-b", {"b": 2})]
