"""The outbox relay on the registry's own database: in order, and holding back while a receiver is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from shared.outbox import InboxAck, NotificationBatch, Relay
from tests.registry.conftest import Ledger


def test_a_down_receiver_is_retried_after_its_back_off_with_everything_in_order(ledger: Ledger) -> None:
    with ledger.database.writes() as session, session.begin():
        ledger.outbox.publish_many(session, [("retirement.recorded", f"ret_{n}", {"n": n}) for n in range(3)])
    sent: list[list[int]] = []
    receiver_up = False

    def send(receiver: str, batch: NotificationBatch) -> InboxAck:
        sent.append([note.payload["n"] for note in batch.notifications])
        if not receiver_up:
            raise ConnectionError(f"{receiver} is not reachable")
        return InboxAck(acknowledged=[note.id for note in batch.notifications])

    relay = Relay(ledger.outbox, ledger.database, send)
    deliveries = ledger.outbox.tables.deliveries
    assert relay.deliver_once() == 0
    assert sent == [[0, 1, 2]]
    with ledger.database.reads() as session:
        assert session.execute(select(deliveries.c.attempts)).scalars().all() == [1, 1, 1]

    receiver_up = True
    assert relay.deliver_once() == 0, "nothing is sent while the oldest waits out its back-off"
    assert sent == [[0, 1, 2]]

    with ledger.database.writes() as session, session.begin():
        session.execute(update(deliveries).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert relay.deliver_once() == 3
    assert sent == [[0, 1, 2], [0, 1, 2]]
    assert relay.deliver_once() == 0 and len(sent) == 2
