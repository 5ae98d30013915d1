"""Folding notifications into the read model, in the receiver's transaction, and measuring the lag."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from services.disclosure.events.fields import profile_fields
from services.disclosure.feed import repository
from services.disclosure.feed.schemas import CancellationState, CertificateState, EventState, RetirementState
from services.disclosure.public.times import as_utc, china_month
from shared.db.engine import Database
from shared.db.kernel_tables import KernelTables
from shared.metrics import ServiceMetrics
from shared.outbox import Inbox, Notification

log = logging.getLogger("lingtan.disclosure.feed")


def _stamps(note: Notification, now: datetime) -> dict[str, Any]:
    return {"id": note.record_id, "seq": note.seq, "source_created_at": as_utc(note.created_at), "applied_at": now}


def apply_event(session: Session, note: Notification, state: EventState, now: datetime) -> bool:
    """Keep the event's latest state."""
    document = state.model_dump(mode="json")
    searchable = [state.name, *(state.organizers if "organizers" in profile_fields(document) else [])]
    return repository.save_event(
        session,
        {
            **_stamps(note, now),
            "name": state.name,
            "search_text": " ".join(searchable).lower(),
            "kind": state.kind,
            "jurisdiction": state.jurisdiction,
            "status": state.status,
            "starts_on": state.starts_at,
            "ends_on": state.ends_at,
            "profile_id": state.policy.profile_id if state.policy else None,
            "document": document,
        },
    )


def apply_retirement(session: Session, note: Notification, state: RetirementState, now: datetime) -> bool:
    """Keep the retirement's latest state and its serial ranges."""
    # A donation's free text could name the person who gave; only the kind of donor is public.
    private = state.kind == "donation"
    values = {
        **_stamps(note, now),
        "kind": state.kind,
        "event_id": state.event_id,
        "unit_type": state.unit_type,
        "quantity_g": state.quantity_g,
        "beneficiary": None if private else state.beneficiary,
        "reason": None if private else state.reason,
        "donor_kind": state.donor,
        "log_index": state.log_index,
        "retired_at": state.retired_at,
        "month": china_month(state.retired_at),
    }
    ranges = [
        {
            "serial": r.serial,
            "range_start": r.start,
            "range_end": r.end,
            "quantity_g": r.quantity_g,
            "project_id": r.project_id,
            "project_name": r.project_name,
            "province": r.province,
            "category": r.category,
            "vintage": r.vintage,
        }
        for r in state.serial_ranges
    ]
    return repository.save_retirement(session, values, ranges)


def apply_cancellation(session: Session, note: Notification, state: CancellationState, now: datetime) -> bool:
    """Keep the external cancellation's latest state."""
    return repository.save_cancellation(
        session,
        {
            **_stamps(note, now),
            **state.model_dump(exclude={"id", "registry", "decision"}),
            "decision": None if state.decision is None else state.decision.model_dump(mode="json"),
            "registry_code": state.registry,
            "month": china_month(state.recorded_at),
        },
    )


def apply_certificate(session: Session, note: Notification, state: CertificateState, now: datetime) -> bool:
    """Keep the certificate's latest state and status."""
    return repository.save_certificate(
        session,
        {
            **_stamps(note, now),
            "event_id": state.event_id,
            "jurisdiction": state.jurisdiction,
            "status": state.status,
            "issued_at": state.issued_at,
            "revoked_at": state.revoked_at,
            "document": state.model_dump(mode="json"),
        },
    )


@dataclass(frozen=True)
class Topic:
    """How one topic is read and applied."""

    state: type[BaseModel]
    apply: Callable[[Session, Notification, Any, datetime], bool]


TOPICS: dict[str, Topic] = {
    "event.updated": Topic(EventState, apply_event),
    "retirement.recorded": Topic(RetirementState, apply_retirement),
    "cancellation.recorded": Topic(CancellationState, apply_cancellation),
    "certificate.updated": Topic(CertificateState, apply_certificate),
}


class Feed:
    """The inbox's applier: validates, applies by `seq`, and records how late each notification arrived."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.lag = Gauge(
            "lingtan_disclosure_feed_lag_seconds",
            "Seconds between a notification's creation by its sender and its application here",
            ["source", "topic"],
            registry=metrics.registry,
        )
        self.outcomes = Counter(
            "lingtan_disclosure_feed_notifications",
            "Notifications received, by outcome (applied, stale, rejected, ignored)",
            ["topic", "outcome"],
            registry=metrics.registry,
        )
        self._latest: dict[str, dict[str, dict[str, Any]]] = {}

    def __call__(self, session: Session, note: Notification) -> None:
        """Apply one notification (the kernel's inbox has already dropped repeated ids)."""
        topic = TOPICS.get(note.topic)
        if topic is None:
            self.outcomes.labels(note.topic[:100], "ignored").inc()
            return
        try:
            state = topic.state.model_validate(note.payload)
        except ValidationError as exc:
            # Every notification carries a record's full state, so the record's next notification
            # repairs it; refusing this one would instead block every later delivery behind it.
            log.error(
                "notification rejected",
                extra={"notification_id": note.id, "topic": note.topic, "errors": exc.error_count()},
            )
            self.outcomes.labels(note.topic, "rejected").inc()
            return
        if getattr(state, "id", None) != note.record_id:
            log.error("notification record id mismatch", extra={"notification_id": note.id, "topic": note.topic})
            self.outcomes.labels(note.topic, "rejected").inc()
            return
        now = datetime.now(UTC)
        applied = topic.apply(session, note, state, now)
        self.outcomes.labels(note.topic, "applied" if applied else "stale").inc()
        seconds = max(0.0, (now - as_utc(note.created_at)).total_seconds())
        self.lag.labels(note.source, note.topic).set(seconds)
        self._latest.setdefault(note.source, {})[note.topic] = {
            "lag_seconds": round(seconds, 3),
            "applied_at": now.isoformat(),
        }

    def lag_by_source(self) -> dict[str, dict[str, Any]]:
        """Per source and topic, the lag of the latest notification applied since this process started."""
        return {source: dict(topics) for source, topics in self._latest.items()}


class LaggedInbox(Inbox):
    """The kernel's inbox, whose readiness detail also shows the feed's lag per source."""

    def __init__(self, tables: KernelTables, database: Database, feed: Feed) -> None:
        super().__init__(tables, database, feed)
        self.feed = feed

    def last_received(self) -> dict[str, Any]:
        """The kernel's per-source counts, each with the lag of its latest notification by topic."""
        detail = super().last_received()
        lag = self.feed.lag_by_source()
        for source, counts in detail.items():
            counts["lag"] = lag.get(source, {})
        return detail
