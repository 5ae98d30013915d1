"""What certification reports: `certificate.updated` moves an event to certified or revoked."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from services.accounting.events import repository
from services.accounting.events.service import changed
from services.accounting.events.status import certificate_status
from shared.outbox import Applier, Notification, Outbox

log = logging.getLogger("lingtan.accounting.certificates")
TOPIC = "certificate.updated"


def certificate_applier(outbox: Outbox) -> Applier:
    """The inbox's applier: keep the certificate on its event and follow its status."""

    def apply(session: Session, note: Notification) -> None:
        if note.topic != TOPIC:
            return
        payload = note.payload
        certificate_id, event_id = payload.get("id"), payload.get("event_id")
        status = certificate_status(str(payload.get("status")))
        if not isinstance(certificate_id, str) or not isinstance(event_id, str) or status is None:
            # Acknowledged and dropped: the certificate's next notification carries its full state again.
            log.error("certificate notification not understood", extra={"notification_id": note.id})
            return
        event = repository.by_id(session, event_id)
        if event is None:
            log.error("certificate for an unknown event", extra={"notification_id": note.id, "event_id": event_id})
            return
        if event.certificate_seq is not None and note.seq <= event.certificate_seq:
            return  # older news than what the event already holds
        event.certificate_id = certificate_id
        event.certificate_status = str(payload["status"])
        event.certificate_seq = note.seq
        event.status = status.value
        changed(session, outbox, event)

    return apply
