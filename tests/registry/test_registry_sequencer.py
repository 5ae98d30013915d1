"""Group-commit sequencing: queued entries get consecutive indexes, each exactly once, whoever sequences them.

Changes queue their entries in their own transactions; a sequencer appends them in batches. These
tests drive the sequencer directly on a bare ledger database (SQLite, or PostgreSQL when configured),
with several sequencers, each with a unit runner of its own, standing in for several registry
processes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import anyio
import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy import func, select
from starlette.requests import Request

from services.registry.app import create_app
from services.registry.database import kernel
from services.registry.log import repository
from services.registry.log import service as log
from services.registry.log.models import LogEntry, QueuedEntry
from services.registry.log.sequencer import NotInLog, Sequencer
from services.registry.units import UnitRunner
from services.registry.writes import run_write
from shared.db.executor import Executor
from shared.db.transactions import run_in_transaction
from shared.idempotency import IdempotencyStore
from shared.settings import PlatformSettings
from shared.transparency.merkle import CompactRange, leaf_hash
from tests.registry.conftest import Ledger, principal

T = TypeVar("T")


def _queueing(record_id: str, notify: bool = False) -> Callable[[Executor], None]:
    notice = log.Notice("retirement.recorded", {"id": record_id, "log_index": log.PENDING_INDEX}) if notify else None

    def work(session: Executor) -> None:
        log.queue_entry(session, "test", record_id, {"record": record_id, "grams": 7}, notice)

    return work


def _queue(ledger: Ledger, record_id: str, notify: bool = False) -> None:
    run_in_transaction(ledger.database.writes, _queueing(record_id, notify))


def _sequencers(ledger: Ledger, count: int, batch_limit: int = 1000) -> list[Sequencer]:
    return [
        Sequencer(ledger.database, ledger.outbox, UnitRunner(ledger.database, pool_size=4), batch_limit)
        for _ in range(count)
    ]


def _on_loop(sequencers: list[Sequencer], ask: Callable[[], Awaitable[T]]) -> T:
    """Run ``ask`` on an event loop, as the registry's requests run, and close the sequencers' pools."""

    async def run() -> T:
        try:
            return await ask()
        finally:
            for sequencer in sequencers:
                await sequencer.units.close()

    return asyncio.run(run())


def _entries(ledger: Ledger) -> list[repository.StoredEntry]:
    with ledger.database.reads() as session:
        size = repository.committed_size(session)
        return repository.entries(session, 0, size + 1)


def _queued(ledger: Ledger) -> int:
    with ledger.database.reads() as session:
        return int(session.execute(select(func.count()).select_from(QueuedEntry)).scalar_one())


def _outbox(ledger: Ledger) -> dict[str, dict[str, Any]]:
    table = ledger.outbox.tables.outbox
    with ledger.database.reads() as session:
        rows = session.execute(select(table.c.record_id, table.c.payload)).all()
    return {row.record_id: json.loads(row.payload) for row in rows}


def _assert_log_is_whole(ledger: Ledger) -> None:
    """Indexes 0..n-1 each once, each entry's bytes naming its own index, and the stored frontier
    equal to the tree rebuilt from the entries."""
    entries = _entries(ledger)
    assert [e.leaf_index for e in entries] == list(range(len(entries)))
    rebuilt = CompactRange(0, [])
    for entry in entries:
        assert json.loads(entry.canonical)["index"] == entry.leaf_index
        assert entry.leaf_hash == leaf_hash(entry.canonical.encode())
        rebuilt.append(entry.leaf_hash)
    with ledger.database.reads() as session:
        assert log.root_at(session, len(entries)) == rebuilt.root()


def test_queued_entries_get_consecutive_indexes_in_queue_order_and_their_notifications_carry_them(
    ledger: Ledger,
) -> None:
    for n in range(5):
        _queue(ledger, f"rec-{n}", notify=n % 2 == 0)
    assert _entries(ledger) == []  # queued, not yet in the log

    [sequencer] = _sequencers(ledger, 1)
    assert _on_loop([sequencer], lambda: sequencer.index_of("rec-3")) == 3

    entries = _entries(ledger)
    assert [(e.leaf_index, e.record_id) for e in entries] == [(n, f"rec-{n}") for n in range(5)]
    assert json.loads(entries[2].canonical)["grams"] == 7
    assert _queued(ledger) == 0
    notified = _outbox(ledger)
    assert {record: payload["log_index"] for record, payload in notified.items()} == {
        "rec-0": 0,
        "rec-2": 2,
        "rec-4": 4,
    }
    _assert_log_is_whole(ledger)


def test_a_record_sequenced_by_another_process_is_found_by_record_id(ledger: Ledger) -> None:
    _queue(ledger, "rec-a")
    _queue(ledger, "rec-b")
    other, mine = _sequencers(ledger, 2)
    assert other.sequence_queued() == {"rec-a": 0, "rec-b": 1}
    assert _on_loop([other, mine], lambda: mine.index_of("rec-b")) == 1
    assert len(_entries(ledger)) == 2


def test_a_record_neither_queued_nor_logged_is_an_error(ledger: Ledger) -> None:
    [sequencer] = _sequencers(ledger, 1)
    with pytest.raises(NotInLog):
        _on_loop([sequencer], lambda: sequencer.index_of("never-committed"))


def _batches_of(sequencer: Sequencer) -> list[bool]:
    """The batches ``sequencer`` runs from now on, each recorded as whether it was asked to be durable."""
    batches: list[bool] = []
    run = sequencer.units.run

    async def recorded(work: Callable[[Executor], T], *, retry_integrity: bool = False, durable: bool = True) -> T:
        batches.append(durable)
        return await run(work, retry_integrity=retry_integrity, durable=durable)

    sequencer.units.run = recorded  # type: ignore[method-assign]
    return batches


def test_requests_waiting_together_are_served_by_one_batch(ledger: Ledger) -> None:
    for n in range(10):
        _queue(ledger, f"rec-{n}")
    [sequencer] = _sequencers(ledger, 1)
    batches = _batches_of(sequencer)

    async def ask_all() -> list[int]:
        return list(await asyncio.gather(*(sequencer.index_of(f"rec-{n}") for n in range(10))))

    assert _on_loop([sequencer], ask_all) == list(range(10))
    # One batch, and durable: answers wait for batches because their commit waits for the disk,
    # covering the writes committed before it.
    assert batches == [True]
    _assert_log_is_whole(ledger)


def test_a_request_that_begins_waiting_during_a_batch_that_took_its_entry_is_answered_by_that_batch(
    ledger: Ledger,
) -> None:
    _queue(ledger, "rec-first")
    _queue(ledger, "rec-late")  # committed before the batch takes the queue, asked for after it began
    [sequencer] = _sequencers(ledger, 1)
    batches = _batches_of(sequencer)

    async def ask() -> tuple[int, int]:
        first = asyncio.ensure_future(sequencer.index_of("rec-first"))
        await asyncio.sleep(0)  # the request starts the batch loop
        await asyncio.sleep(0)  # which begins a batch for the records waited for so far
        assert len(batches) == 1
        late = asyncio.ensure_future(sequencer.index_of("rec-late"))
        return await first, await late

    assert _on_loop([sequencer], ask) == (0, 1)
    assert len(batches) == 1


def test_a_request_that_goes_away_leaves_the_others_waiting_for_the_same_record_their_answer(
    ledger: Ledger,
) -> None:
    _queue(ledger, "rec-shared")
    [sequencer] = _sequencers(ledger, 1)

    async def ask_then_leave() -> tuple[int, bool]:
        leaving = asyncio.ensure_future(sequencer.index_of("rec-shared"))
        staying = asyncio.ensure_future(sequencer.index_of("rec-shared"))  # a replay beside its first request
        await asyncio.sleep(0)
        leaving.cancel()
        return await staying, leaving.cancelled()

    assert _on_loop([sequencer], ask_then_leave) == (0, True)
    assert [e.record_id for e in _entries(ledger)] == ["rec-shared"]


def _write(ledger: Ledger, work: Callable[[Executor], tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """Run ``work`` as the registry's write endpoints do and return the answer's body."""
    [sequencer] = _sequencers(ledger, 1)
    registry = SimpleNamespace(
        context=SimpleNamespace(idempotency=IdempotencyStore(kernel.idempotency)),
        units=sequencer.units,
        sequencer=sequencer,
    )
    app = SimpleNamespace(state=SimpleNamespace(registry=registry))
    request = Request({"type": "http", "method": "POST", "path": "/v1/test", "headers": [], "app": app})
    body = _Body(note="write")
    response = _on_loop([sequencer], lambda: run_write(request, principal("org:writes"), None, body, work))
    return dict(json.loads(bytes(response.body)))


class _Body(BaseModel):
    note: str


def test_a_write_is_answered_with_the_index_the_batch_gave_its_entry(ledger: Ledger) -> None:
    _queue(ledger, "earlier")

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        _queueing("rec-w")(session)
        return 201, {"id": "rec-w", "log_index": log.PENDING_INDEX}

    assert _write(ledger, work) == {"id": "rec-w", "log_index": 1}
    assert [e.record_id for e in _entries(ledger)] == ["earlier", "rec-w"]


def test_a_write_that_queued_no_log_entry_is_not_answered(ledger: Ledger) -> None:
    # Its commit does not wait for the disk; only the batch's durable commit after it makes it safe.
    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, {"id": "rec-unlogged"}

    with pytest.raises(RuntimeError, match="queue its log entry"):
        _write(ledger, work)


def test_entries_left_queued_are_sequenced_by_drain_in_batches(ledger: Ledger) -> None:
    for n in range(7):
        _queue(ledger, f"left-{n}")
    [sequencer] = _sequencers(ledger, 1, batch_limit=3)
    assert _on_loop([sequencer], lambda: sequencer.index_of("left-6")) == 6  # three turns: 0-2, 3-5, 6
    for n in range(3):
        _queue(ledger, f"late-{n}")
    assert sequencer.drain() == 3
    assert sequencer.drain() == 0
    assert _queued(ledger) == 0
    _assert_log_is_whole(ledger)


def test_concurrent_writers_on_several_sequencers_each_get_one_distinct_index(ledger: Ledger) -> None:
    sequencers = _sequencers(ledger, 3)
    writes = 60
    found: dict[str, int] = {}

    async def write(n: int) -> None:
        record, sequencer = f"w-{n}", sequencers[n % len(sequencers)]
        await sequencer.units.run(_queueing(record, notify=True))
        found[record] = await sequencer.index_of(record)

    async def write_all() -> None:
        await asyncio.gather(*(write(n) for n in range(writes)))

    _on_loop(sequencers, write_all)

    assert sorted(found.values()) == list(range(writes))
    by_record = {e.record_id: e.leaf_index for e in _entries(ledger)}
    assert by_record == found
    assert {record: payload["log_index"] for record, payload in _outbox(ledger).items()} == found
    with ledger.database.reads() as session:
        assert session.execute(select(func.count()).select_from(LogEntry)).scalar_one() == writes
    _assert_log_is_whole(ledger)


def test_the_registry_sequences_what_a_stopped_process_left_queued_when_it_starts(
    ledger: Ledger, tmp_path: Path
) -> None:
    _queue(ledger, "left-by-a-crash", notify=True)
    app = create_app(PlatformSettings(data_dir=tmp_path), ledger.database)

    async def start_and_read_the_checkpoint() -> dict[str, Any]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
                answer: dict[str, Any] = (await client.get("/v1/log/checkpoint")).json()
                return answer

    checkpoint = anyio.run(start_and_read_the_checkpoint)
    assert _queued(ledger) == 0
    assert checkpoint["tree_size"] == 1
    assert [e.record_id for e in _entries(ledger)] == ["left-by-a-crash"]
    assert _outbox(ledger)["left-by-a-crash"]["log_index"] == 0
