"""The read model: each notification applied once, newest seq wins, private fields never stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from services.disclosure.feed.models import DisclosedEvent, DisclosedRetirement
from tests.disclosure.disclosure_samples import (
    cancellation,
    certificate,
    donation,
    hainan_event,
    note,
    retirement,
    revoked,
    unique,
)


def test_a_repeated_notification_id_is_applied_once(disclosure):
    event_id = unique("evt")
    first = note("event.updated", hainan_event(event_id), seq=5)
    assert disclosure.deliver(first).acknowledged == [first.id]
    # The same id again, now carrying other content, as a confused relay might: acknowledged, not applied.
    again = first.model_copy(update={"payload": hainan_event(event_id, name="Renamed"), "seq": 9})
    assert disclosure.deliver(again).acknowledged == [first.id]
    assert disclosure.get(f"/v1/events/{event_id}").json()["name"] == hainan_event(event_id)["name"]
    metrics = disclosure.get("/metrics").text
    assert 'lingtan_disclosure_feed_notifications_total{outcome="applied",topic="event.updated"} 1.0' in metrics


def test_an_older_seq_never_rolls_an_event_back(disclosure):
    event_id = unique("evt")
    disclosure.deliver(note("event.updated", hainan_event(event_id, status="certified"), seq=20))
    disclosure.deliver(note("event.updated", hainan_event(event_id, status="planned", name="Old name"), seq=11))
    body = disclosure.get(f"/v1/events/{event_id}").json()
    assert (body["status"], body["name"]) == ("certified", hainan_event(event_id)["name"])
    disclosure.deliver(note("event.updated", hainan_event(event_id, status="revoked"), seq=21))
    assert disclosure.get(f"/v1/events/{event_id}").json()["status"] == "revoked"


def test_an_older_seq_never_rolls_back_a_retirement_or_its_serial_ranges(disclosure):
    event_id, ret_id = unique("evt"), unique("ret")
    newer = retirement(ret_id, event_id, 5_000_000)
    newer["serial_ranges"][0]["serial"] = "HNBLUE-NEW"
    older = retirement(ret_id, event_id, 9_000_000)
    disclosure.deliver(note("retirement.recorded", newer, seq=8), note("retirement.recorded", older, seq=3))
    (record,) = disclosure.get("/v1/retirements", params={"event_id": event_id}).json()["items"]
    assert record["quantity_g"] == 5_000_000
    assert [r["serial"] for r in record["serial_ranges"]] == ["HNBLUE-NEW"]


def test_certificate_status_follows_the_newest_notification_only(disclosure):
    cert_id, event_id = unique("cert"), unique("evt")
    issued = certificate(cert_id, event_id)
    disclosure.deliver(note("certificate.updated", revoked(issued), seq=31))
    disclosure.deliver(note("certificate.updated", issued, seq=30))
    body = disclosure.get(f"/v1/certificates/{cert_id}").json()
    assert body["status"] == "revoked"
    assert body["revocation_reason"] == "CCER cancellation already claimed elsewhere"


def test_private_fields_are_dropped_on_arrival(disclosure):
    event_id, gift_id, xc_id = unique("evt"), unique("don"), unique("xc")
    disclosure.deliver(
        note("event.updated", hainan_event(event_id), seq=1),
        note("retirement.recorded", donation(gift_id, event_id, 3_000), seq=2),
        note("cancellation.recorded", cancellation(xc_id, event_id, 1_000_000), seq=3),
    )
    with disclosure.database.reads() as session:
        stored_event = session.get(DisclosedEvent, event_id)
        stored_gift = session.get(DisclosedRetirement, gift_id)
        everything = json.dumps(
            [
                list(row)
                for table in (
                    "disclosed_events",
                    "disclosed_retirements",
                    "disclosed_serial_ranges",
                    "disclosed_cancellations",
                )
                for row in session.execute(text(f"SELECT * FROM {table}"))
            ],
            default=str,
            ensure_ascii=False,
        )
    assert stored_event is not None and stored_gift is not None
    assert "evidence_sha256" not in stored_event.document["accounted"]
    assert "private_notes" not in stored_event.document
    assert stored_gift.donor_kind == "person"
    for secret in ("张三", "13800000000", "ab" * 32, "cd" * 32, "not for the public"):
        assert secret not in everything


def test_a_malformed_notification_is_acknowledged_and_does_not_block_the_next(disclosure):
    event_id = unique("evt")
    broken = note("event.updated", {**hainan_event(event_id), "starts_at": "someday"}, seq=1)
    floats = note("retirement.recorded", {**retirement(unique("ret"), event_id, 1), "quantity_g": 1.5}, seq=2)
    good = note("event.updated", hainan_event(event_id), seq=3)
    ack = disclosure.deliver(broken, floats, good)
    assert ack.acknowledged == [broken.id, floats.id, good.id]
    assert disclosure.get(f"/v1/events/{event_id}").status_code == 200
    with disclosure.database.reads() as session:
        assert (
            session.execute(select(DisclosedRetirement).where(DisclosedRetirement.event_id == event_id)).first() is None
        )
    metrics = disclosure.get("/metrics").text
    assert 'outcome="rejected",topic="event.updated"} 1.0' in metrics
    assert 'outcome="rejected",topic="retirement.recorded"} 1.0' in metrics


def test_lag_is_a_gauge_and_part_of_readiness(disclosure):
    created = datetime.now(UTC) - timedelta(seconds=90)
    disclosure.deliver(note("event.updated", hainan_event(unique("evt")), seq=1, created_at=created))
    samples = [
        line
        for line in disclosure.get("/metrics").text.splitlines()
        if line.startswith('lingtan_disclosure_feed_lag_seconds{source="accounting",topic="event.updated"}')
    ]
    assert len(samples) == 1
    assert 90 <= float(samples[0].rsplit(" ", 1)[1]) < 120
    ready = disclosure.get("/health/ready").json()
    lag = ready["inbox"]["accounting"]["lag"]["event.updated"]
    assert 90 <= lag["lag_seconds"] < 120
    assert ready["inbox"]["accounting"]["applied"] == 1
