"""Gathering an application's evidence over REST: the event's offsets as the registry's log proves them.

No database transaction is open while this runs: it only reads other services.
"""

from __future__ import annotations

from services.certification.applications.checks import Evidence
from services.certification.applications.claims import counted_statuses
from services.certification.applications.proofs import prove_offsets
from services.certification.problems import UntrustedLog
from services.certification.runtime import CertificationRuntime
from services.certification.upstream.facts import EventFacts
from shared.transparency.checkpoint import CheckpointError, parse_verifier_key


def log_key(runtime: CertificationRuntime) -> str:
    """The registry log key to verify against: the pinned one, else the one the registry publishes."""
    pinned = runtime.settings.certification_registry_vkey
    if pinned is not None:
        return pinned
    published = runtime.registry.public_key()
    try:
        parse_verifier_key(published)
    except CheckpointError as exc:
        raise UntrustedLog(f"The registry publishes a log key that is not a valid verifier key: {exc}") from exc
    return published


def gather(runtime: CertificationRuntime, event: EventFacts, method: str) -> Evidence:
    """The event's registry records, each checked against the log; external claims count as an application
    confirmed by ``method`` admits them (claims.py)."""
    records = runtime.registry.event_records(event.id)
    vkey = log_key(runtime)
    offsets = prove_offsets(
        event.id, records.retirements, records.cancellations, runtime.registry.proof, vkey, counted_statuses(method)
    )
    return Evidence(event=event, offsets=offsets)
