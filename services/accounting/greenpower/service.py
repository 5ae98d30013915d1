"""Holding an event's green-electricity certificates: claimed as its inventory names them, across the platform.

A certificate reference zeroes purchased electricity for one event only. Writing an inventory version
claims every reference its lines name for the event; a reference another event holds is refused with
a 409 naming that event. The event's draft holds its references until the draft changes: a reference
the new draft no longer names is released, and may then be claimed by another event. A submitted
version is the accounted record, so the references it names are held for good.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from services.accounting.errors import InvalidActivityLine
from services.accounting.greenpower import repository
from services.accounting.inventory.lines import ActivityLine
from services.accounting.inventory.references import certificate_key
from services.accounting.problems import GreenCertificateClaimed

# An inventory names at most this many distinct certificates (one per MWh would cover 20 TWh).
MAX_CERTIFICATES = 20_000
# How many holders a refusal lists, beyond the first it names in words.
LISTED = 20


def claim_key(reference: str) -> str:
    """The claim table's key of a reference: SHA-256 of its comparison key, in hex."""
    return hashlib.sha256(certificate_key(reference).encode()).hexdigest()


def references(lines: Sequence[ActivityLine]) -> dict[str, str]:
    """Every certificate the lines name, by claim key, as first written (stripped)."""
    named: dict[str, str] = {}
    for line in lines:
        for reference in line.green_certificates:
            named.setdefault(claim_key(reference), reference.strip())
    if len(named) > MAX_CERTIFICATES:
        raise InvalidActivityLine(
            f"An inventory names at most {MAX_CERTIFICATES} green-electricity certificates; this one names "
            f"{len(named)}. Give a trade record or a certificate batch reference instead.",
            certificates=len(named),
        )
    return named


def hold(session: Session, event_id: str, lines: Sequence[ActivityLine], stamp: datetime) -> None:
    """Claim the references of the event's new draft and release those it no longer names (409 if taken)."""
    named = references(lines)
    if named:
        repository.claim_absent(session, event_id, named, stamp)
        taken = repository.held_elsewhere(session, event_id, list(named))
        if taken:
            key, holder = taken[0]
            raise GreenCertificateClaimed(
                f"Green-electricity certificate {named[key]} already zeroes the purchased electricity of event "
                f"{holder}; a certificate counts for one event only.",
                certificate=named[key],
                held_by=holder,
                claimed=[{"certificate": named[k], "event_id": e} for k, e in taken[:LISTED]],
            )
    stale = [key for key in repository.draft_keys(session, event_id) if key not in named]
    if stale:
        repository.release(session, event_id, stale)


def keep_submitted(session: Session, event_id: str) -> None:
    """The submitted version's references stay the event's for good."""
    repository.keep_for_good(session, event_id)
