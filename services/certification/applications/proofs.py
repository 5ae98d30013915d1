"""Counting an event's offsets only as far as the registry's log proves them.

For every retirement, donation and external cancellation the registry lists for the event, the
certification service fetches the record's proof bundle and checks, itself:

1. the checkpoint's signature, with the registry's log key (pinned in settings, else as published);
2. the RFC 9162 inclusion proof of the log entry under that checkpoint's root;
3. that the proven entry is this record: same kind, id, event, quantity, log index, and the same
   serials (retirements) or registry and serial range (external cancellations).

Only the proven entry's quantity counts. A record that fails any step is left out, with the reason.
An external claim counts only in a status the application's method admits (claims.py); where that
is "confirmed", the decision's own log entry is proven the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from services.certification.applications.claims import RECORDED_OR_CONFIRMED, why_not_counted
from services.certification.identifiers import china_date
from services.certification.upstream.facts import RecordedCancellation, RecordedRetirement, SerialRange
from shared.transparency.verify import RetirementProofBundle, VerificationError, verify_retirement_proof

ProofFetcher = Callable[[str], Any]


@dataclass(frozen=True)
class CountedOffset:
    """A record whose log entry is proven: it counts towards coverage."""

    record_id: str
    kind: str
    unit_type: str
    quantity_g: int
    log_index: int
    recorded_at: datetime
    donor: str | None
    serial_ranges: tuple[SerialRange, ...]
    cancellation: RecordedCancellation | None

    @property
    def recorded_on(self) -> date:
        """The day in China the log recorded it."""
        return china_date(self.recorded_at)

    @property
    def made_on(self) -> date:
        """The day the offset was made, which the deadline is judged on: for an external cancellation the
        day it was cancelled in its own registry (when the claim says), else the day the log recorded it."""
        if self.cancellation is not None and self.cancellation.cancelled_on is not None:
            return self.cancellation.cancelled_on
        return self.recorded_on


@dataclass(frozen=True)
class RefusedOffset:
    """A record that does not count, and why."""

    record_id: str
    kind: str
    claimed_g: int
    reason: str


@dataclass(frozen=True)
class ProvenOffsets:
    """The event's offsets split into those the log proves and those it does not."""

    counted: tuple[CountedOffset, ...]
    refused: tuple[RefusedOffset, ...]
    log_key: str
    checkpoints: tuple[str, ...]

    @property
    def counted_g(self) -> int:
        """Grams the log proves for the event."""
        return sum(offset.quantity_g for offset in self.counted)


def _entry_moment(entry: Mapping[str, Any]) -> datetime | None:
    value = entry.get("at")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _mismatch(entry: Mapping[str, Any], expected: Mapping[str, object]) -> str | None:
    for key, value in expected.items():
        if entry.get(key) != value:
            return f"the log entry's {key} is {entry.get(key)!r}, not {value!r}"
    return None


def _retirement_mismatch(entry: Mapping[str, Any], record: RecordedRetirement, event_id: str) -> str | None:
    found = _mismatch(
        entry,
        {
            "kind": record.kind,
            "retirement_id": record.id,
            "event_id": event_id,
            "unit_type": record.unit_type,
            "quantity_g": record.quantity_g,
            "index": record.log_index,
        },
    )
    if found:
        return found
    serials = entry.get("serials")
    listed = sorted(r.serial for r in record.serial_ranges)
    if not isinstance(serials, list) or sorted(str(s) for s in serials) != listed:
        return "the log entry's serials differ from the serial ranges the registry lists"
    if sum(r.quantity_g for r in record.serial_ranges) != record.quantity_g:
        return "the serial ranges do not add up to the retired quantity"
    return None


def _cancellation_mismatch(entry: Mapping[str, Any], record: RecordedCancellation, event_id: str) -> str | None:
    expected: dict[str, object] = {
        "kind": "external_cancellation",
        "cancellation_id": record.id,
        "event_id": event_id,
        "registry": record.registry,
        "serial_from": record.serial_from,
        "serial_to": record.serial_to,
        "quantity_g": record.quantity_g,
        "index": record.log_index,
    }
    if record.cancelled_on is not None:
        expected["cancelled_on"] = record.cancelled_on.isoformat()
    return _mismatch(entry, expected)


def _decision_mismatch(entry: Mapping[str, Any], record: RecordedCancellation) -> str | None:
    assert record.decision is not None
    return _mismatch(
        entry,
        {
            "kind": "external_cancellation.decision",
            "decision_id": record.decision.id,
            "cancellation_id": record.id,
            "outcome": record.decision.outcome,
            "index": record.decision.log_index,
        },
    )


def _claim_refusal(
    fetch: ProofFetcher, vkey: str, record: RecordedCancellation, counted: frozenset[str], checkpoints: set[str]
) -> str | None:
    """Why a claim does not count in its status, or None; a confirmation that matters must be proven."""
    if record.status not in counted:
        return why_not_counted(record.status, counted)
    if counted == RECORDED_OR_CONFIRMED:
        return None
    if record.decision is None or record.decision.outcome != record.status:
        return "the registry lists the claim as confirmed without the decision that confirmed it"
    verdict = _verdict(
        fetch, vkey, record.decision.id, record.decision.log_index, checkpoints,
        partial(_decision_mismatch, record=record),
    )
    return f"its confirmation is not proven: {verdict}" if isinstance(verdict, str) else None


def _prove(fetch: ProofFetcher, vkey: str, record_id: str, log_index: int, checkpoints: set[str]) -> Any:
    """The proven log entry of a record, or the reason it is not proven (a string)."""
    bundle_json = fetch(record_id)
    if bundle_json is None:
        return "the registry has no proof for it"
    if not isinstance(bundle_json, Mapping) or not isinstance(bundle_json.get("entry"), Mapping):
        return "the registry's proof bundle has no log entry object"
    try:
        bundle = RetirementProofBundle.from_json(bundle_json)
        verified = verify_retirement_proof(bundle, vkey)
    except VerificationError as exc:
        return f"the proof does not verify ({exc})"
    if verified.leaf_index != log_index:
        return f"the proof is for log index {verified.leaf_index}, the record says {log_index}"
    checkpoints.add(bundle.checkpoint)
    return bundle_json["entry"]


def _verdict(
    fetch: ProofFetcher,
    vkey: str,
    record_id: str,
    log_index: int,
    checkpoints: set[str],
    mismatch: Callable[[Mapping[str, Any]], str | None],
) -> datetime | str:
    """When the log recorded the record, or why the record does not count."""
    entry = _prove(fetch, vkey, record_id, log_index, checkpoints)
    if isinstance(entry, str):
        return entry
    reason = mismatch(entry)
    if reason is not None:
        return reason
    moment = _entry_moment(entry)
    return moment if moment is not None else "the log entry has no valid time"


def prove_offsets(
    event_id: str,
    retirements: tuple[RecordedRetirement, ...],
    cancellations: tuple[RecordedCancellation, ...],
    fetch: ProofFetcher,
    vkey: str,
    counted_claims: frozenset[str] = RECORDED_OR_CONFIRMED,
) -> ProvenOffsets:
    """Check each record against the log (see the module docstring) and split them; external claims count
    in the statuses ``counted_claims`` names."""
    counted: list[CountedOffset] = []
    refused: list[RefusedOffset] = []
    checkpoints: set[str] = set()
    for retirement in retirements:
        verdict = _verdict(
            fetch, vkey, retirement.id, retirement.log_index, checkpoints,
            partial(_retirement_mismatch, record=retirement, event_id=event_id),
        )
        if isinstance(verdict, str):
            refused.append(RefusedOffset(retirement.id, retirement.kind, retirement.quantity_g, verdict))
            continue
        counted.append(
            CountedOffset(
                record_id=retirement.id,
                kind=retirement.kind,
                unit_type=retirement.unit_type,
                quantity_g=retirement.quantity_g,
                log_index=retirement.log_index,
                recorded_at=verdict,
                donor=retirement.donor,
                serial_ranges=retirement.serial_ranges,
                cancellation=None,
            )
        )
    for cancellation in cancellations:
        verdict = _claim_refusal(fetch, vkey, cancellation, counted_claims, checkpoints) or _verdict(
            fetch, vkey, cancellation.id, cancellation.log_index, checkpoints,
            partial(_cancellation_mismatch, record=cancellation, event_id=event_id),
        )
        if isinstance(verdict, str):
            refused.append(RefusedOffset(cancellation.id, "external_cancellation", cancellation.quantity_g, verdict))
            continue
        counted.append(
            CountedOffset(
                record_id=cancellation.id,
                kind="external_cancellation",
                unit_type=cancellation.registry,
                quantity_g=cancellation.quantity_g,
                log_index=cancellation.log_index,
                recorded_at=verdict,
                donor=None,
                serial_ranges=(),
                cancellation=cancellation,
            )
        )
    counted.sort(key=lambda offset: offset.log_index)
    return ProvenOffsets(tuple(counted), tuple(refused), vkey, tuple(sorted(checkpoints)))
