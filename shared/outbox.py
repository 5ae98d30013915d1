"""The transactional outbox: a change's notification is written in the change's own transaction.

A relay in each service posts pending notifications to each receiver's `/v1/inbox` over REST, oldest
first, with exponential backoff until acknowledged. Every notification carries the full public state
of its record and the sender's sequence number, so a receiver applies each id once (the inbox) and
ignores anything older than what it already holds for that record: late or repeated deliveries can
never roll a record back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db.engine import Database
from shared.db.executor import Executor
from shared.db.kernel_tables import KernelTables

log = logging.getLogger("lingtan.outbox")
MAX_BACKOFF_SECONDS = 60.0
BATCH_SIZE = 200


class Notification(BaseModel):
    """One change as it travels from the service that made it to a receiver."""

    id: str = Field(max_length=36)
    source: str = Field(max_length=50)
    topic: str = Field(max_length=100)
    record_id: str = Field(max_length=100)
    seq: int = Field(ge=0, le=2**63 - 1)  # a BIGINT on either database
    created_at: datetime
    payload: dict[str, Any]


class NotificationBatch(BaseModel):
    """What a relay posts to `/v1/inbox`."""

    notifications: list[Notification] = Field(max_length=BATCH_SIZE)


class InboxAck(BaseModel):
    """The ids a receiver has applied (or had applied before)."""

    acknowledged: list[str]


def backoff(attempts: int) -> timedelta:
    """Exponential backoff for a receiver that failed `attempts` times in a row."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 0.25 * 2 ** min(attempts, 16)))


@dataclass
class Outbox:
    """Publishing side: record notifications for the receivers that subscribe to each topic."""

    source: str
    tables: KernelTables
    routes: dict[str, tuple[str, ...]]  # topic prefix -> receivers

    def receivers_for(self, topic: str) -> tuple[str, ...]:
        """Which services receive a topic."""
        found: list[str] = []
        for prefix, receivers in self.routes.items():
            if topic.startswith(prefix):
                found.extend(r for r in receivers if r not in found)
        return tuple(found)

    def __post_init__(self) -> None:
        # Built once: publishing is on every write's path, and building a statement costs more than running it.
        self._insert_messages = insert(self.tables.outbox).returning(self.tables.outbox.c.id, self.tables.outbox.c.seq)
        self._insert_deliveries = insert(self.tables.deliveries)
        self._on_commit: list[Callable[[], None]] = []

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` once a session that published has committed (the relay delivers at once, rather
        than at its next poll: an event created a moment ago reaches the registry in milliseconds)."""
        self._on_commit.append(hook)

    def publish(self, session: Executor, topic: str, record_id: str, payload: dict[str, Any]) -> None:
        """Write a notification in the caller's transaction; it leaves only if that commits."""
        self.publish_many(session, [(topic, record_id, payload)])

    def publish_many(self, session: Executor, notifications: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Write several notifications (topic, record id, payload), in order, in two statements."""
        if not notifications:
            return
        now = datetime.now(UTC)
        messages = [
            {
                "id": str(uuid.uuid4()),
                "topic": topic,
                "record_id": record_id,
                "payload": json.dumps(payload, default=str, ensure_ascii=False),
                "created_at": now,
            }
            for topic, record_id, payload in notifications
        ]
        # Matched by message id, not by position: a multi-row INSERT's RETURNING promises no order.
        seqs = {row.id: row.seq for row in session.execute(self._insert_messages, messages)}
        deliveries = [
            {"message_seq": seqs[message["id"]], "receiver": receiver, "attempts": 0, "next_attempt_at": now}
            for message, (topic, _, _) in zip(messages, notifications, strict=True)
            for receiver in self.receivers_for(topic)
        ]
        if deliveries:
            session.execute(self._insert_deliveries, deliveries)
        if isinstance(session, Session):
            for hook in self._on_commit:
                event.listen(session, "after_commit", lambda _session, hook=hook: hook(), once=True)


Sender = Callable[[str, NotificationBatch], InboxAck]


class Relay:
    """Delivers pending notifications per receiver, oldest first, backing off while a receiver is down."""

    def __init__(self, outbox: Outbox, database: Database, send: Sender, poll_seconds: float = 0.5) -> None:
        self.outbox = outbox
        self.database = database
        self.send = send
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        outbox.after_commit(self.wake_from_any_thread)

    def wake(self) -> None:
        """Ask for a delivery round now instead of at the next poll."""
        self._wake.set()

    def wake_from_any_thread(self) -> None:
        """``wake`` for a caller outside the relay's event loop (a request's session commits in a worker
        thread); nothing happens while the relay is not running."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    def _pending(self, session: Session, receiver: str, now: datetime) -> list[tuple[int, Notification]]:
        d, m = self.outbox.tables.deliveries, self.outbox.tables.outbox
        waiting = d.c.receiver == receiver, d.c.delivered_at.is_(None)
        # Delivery is in order: while the oldest waits out its back-off, so does everything behind it,
        # and a receiver that is down for long must not cost a batch of payloads read at every poll.
        head = session.execute(select(d.c.next_attempt_at).where(*waiting).order_by(d.c.message_seq).limit(1))
        due = head.scalar()
        if due is None or _aware(due) > now:
            return []
        rows = session.execute(
            select(
                d.c.id,
                m.c.seq,
                m.c.id.label("mid"),
                m.c.topic,
                m.c.record_id,
                m.c.payload,
                m.c.created_at,
            )
            .join(m, m.c.seq == d.c.message_seq)
            .where(*waiting)
            .order_by(d.c.message_seq)
            .limit(BATCH_SIZE)
        ).all()
        return [
            (
                row.id,
                Notification(
                    id=row.mid,
                    source=self.outbox.source,
                    topic=row.topic,
                    record_id=row.record_id,
                    seq=row.seq,
                    created_at=_aware(row.created_at),
                    payload=json.loads(row.payload),
                ),
            )
            for row in rows
        ]

    def deliver_once(self) -> int:
        """One round for every receiver; returns how many notifications were acknowledged."""
        delivered = 0
        receivers = {r for rs in self.outbox.routes.values() for r in rs}
        for receiver in sorted(receivers):
            now = datetime.now(UTC)
            with self.database.reads() as session:
                pending = self._pending(session, receiver, now)
            if not pending:
                continue
            d = self.outbox.tables.deliveries
            ids = [delivery_id for delivery_id, _ in pending]
            try:
                ack = self.send(receiver, NotificationBatch(notifications=[n for _, n in pending]))
            except Exception as exc:  # noqa: BLE001 - any failure means "try again later"
                with self.database.writes() as session, session.begin():
                    attempts = session.execute(select(func.max(d.c.attempts)).where(d.c.id.in_(ids))).scalar()
                    retry_at = now + backoff((attempts or 0) + 1)
                    session.execute(
                        update(d)
                        .where(d.c.id.in_(ids))
                        .values(attempts=d.c.attempts + 1, next_attempt_at=retry_at, last_error=str(exc)[:500])
                    )
                log.warning("delivery failed", extra={"receiver": receiver, "error": str(exc)[:200]})
                continue
            acked = set(ack.acknowledged)
            done = [delivery_id for delivery_id, n in pending if n.id in acked]
            with self.database.writes() as session, session.begin():
                session.execute(update(d).where(d.c.id.in_(done)).values(delivered_at=datetime.now(UTC)))
            delivered += len(done)
        return delivered

    def lag(self) -> dict[str, dict[str, Any]]:
        """Per receiver: notifications not yet acknowledged and the age of the oldest, in seconds."""
        d, m = self.outbox.tables.deliveries, self.outbox.tables.outbox
        now = datetime.now(UTC)
        with self.database.reads() as session:
            rows = session.execute(
                select(d.c.receiver, func.count(), func.min(m.c.created_at))
                .join(m, m.c.seq == d.c.message_seq)
                .where(d.c.delivered_at.is_(None))
                .group_by(d.c.receiver)
            ).all()
        return {
            row[0]: {"pending": row[1], "oldest_seconds": round((now - _aware(row[2])).total_seconds(), 3)}
            for row in rows
        }

    async def run(self) -> None:
        """Deliver until cancelled."""
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                while await asyncio.to_thread(self.deliver_once):
                    pass
            except Exception:  # noqa: BLE001 - the relay must outlive a database restart
                log.exception("outbox relay round failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything here is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


Applier = Callable[[Session, Notification], None]


class Inbox:
    """Receiving side: apply each notification once, in the receiver's own transaction."""

    def __init__(self, tables: KernelTables, database: Database, apply: Applier) -> None:
        self.tables = tables
        self.database = database
        self.apply = apply

    def accept(self, batch: NotificationBatch) -> InboxAck:
        """Apply the batch in order; ids already applied are acknowledged without applying them again."""
        acknowledged: list[str] = []
        inbox = self.tables.inbox
        for note in batch.notifications:
            try:
                with self.database.writes() as session, session.begin():
                    seen = session.execute(select(inbox.c.id).where(inbox.c.id == note.id)).first()
                    if seen is None:
                        session.execute(
                            insert(inbox).values(
                                id=note.id,
                                source=note.source,
                                topic=note.topic,
                                record_id=note.record_id,
                                source_seq=note.seq,
                                received_at=datetime.now(UTC),
                            )
                        )
                        self.apply(session, note)
            except IntegrityError:
                # A concurrent delivery of the same id won; it is applied exactly once either way.
                pass
            acknowledged.append(note.id)
        return InboxAck(acknowledged=acknowledged)

    def last_received(self) -> dict[str, Any]:
        """Per source: how many notifications were applied and when the latest arrived."""
        inbox = self.tables.inbox
        with self.database.reads() as session:
            rows = session.execute(
                select(inbox.c.source, func.count(), func.max(inbox.c.received_at)).group_by(inbox.c.source)
            ).all()
        return {row[0]: {"applied": row[1], "last_received_at": _aware(row[2]).isoformat()} for row in rows}
