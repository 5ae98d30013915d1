"""Recording cancellations made in external registries, once, as claims: overlapping live claims are a
double claim.

Units of CCER, CEA, CER and VCU are tonnes of CO2e, so a quantity in grams must be whole tonnes,
and where the serials carry a numeric range its length must equal the quantity: (last - first + 1)
x 1,000,000 g. Opaque serials (no trailing number) cannot be counted and are compared as text.
A claim names an event the registry knows, recorded by its owner or a client the owner delegated
to, with the day the units were cancelled there (not in the future, not before the vintage year):
the neutrality deadline is judged on that day, so an event of an earlier year is recorded with its
real dates.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from services.registry.cancellations import repository
from services.registry.cancellations.schemas import CancellationCreate, CancellationOut, ClaimDecisionOut
from services.registry.cancellations.serials import ParsedRange, parse_external
from services.registry.events import rules
from services.registry.identifiers import aware, china_today, new_id, utc_now
from services.registry.log import service as log
from services.registry.problems import DoubleClaim
from services.registry.vocabulary import GRAMS_PER_TONNE
from shared.auth.tokens import Principal
from shared.db.executor import Executor
from shared.problems import InvalidInput

TOPIC = "cancellation.recorded"
_MAX_UNIT_NUMBER = 2**63 - 1
_ENDS_IN_DIGIT = re.compile(r"[0-9]\s*$")


def _countable(request: CancellationCreate) -> bool:
    return request.registry == "VCU" or bool(_ENDS_IN_DIGIT.search(request.serial_from))


def parse(request: CancellationCreate) -> ParsedRange:
    """Parse the serials and check them against the quantity; 422 with the reason otherwise."""
    try:
        parsed = parse_external(request.registry, request.serial_from, request.serial_to)
    except ValueError as exc:
        raise InvalidInput(f"The serials cannot be read: {exc}") from exc
    if parsed.end > _MAX_UNIT_NUMBER:
        raise InvalidInput(f"Serial numbers above {_MAX_UNIT_NUMBER} are not supported.")
    if request.quantity % GRAMS_PER_TONNE:
        raise InvalidInput(
            f"{request.registry} units are whole tonnes: quantity must be a multiple of {GRAMS_PER_TONNE} g, "
            f"got {request.quantity} g."
        )
    if _countable(request) and parsed.quantity_units * GRAMS_PER_TONNE != request.quantity:
        raise InvalidInput(
            f"The serial range holds {parsed.quantity_units} t ({parsed.quantity_units * GRAMS_PER_TONNE} g) "
            f"but quantity is {request.quantity} g.",
            range_units=parsed.quantity_units,
            quantity_g=request.quantity,
        )
    _check_cancelled_on(request.cancelled_on, request.vintage)
    return parsed


def _check_cancelled_on(cancelled_on: date, vintage: int) -> None:
    today = china_today()
    if cancelled_on > today:
        raise InvalidInput(
            f"cancelled_on {cancelled_on.isoformat()} is in the future (today is {today.isoformat()} in China).",
            cancelled_on=cancelled_on.isoformat(),
        )
    if cancelled_on.year < vintage:
        raise InvalidInput(
            f"cancelled_on {cancelled_on.isoformat()} is before the vintage {vintage}: units cannot be cancelled "
            "before the year their reductions happened.",
            cancelled_on=cancelled_on.isoformat(),
            vintage=vintage,
        )


def _decision(row: Any) -> ClaimDecisionOut | None:
    if row.d_outcome is None or row.d_log_index is None:
        return None
    return ClaimDecisionOut(
        id=row.decision_id,
        cancellation_id=row.id,
        outcome=row.d_outcome,
        reason=row.d_reason,
        decided_as=row.d_decided_as,
        decided_at=aware(row.d_decided_at),
        log_index=int(row.d_log_index),
    )


def out(row: Any) -> CancellationOut:
    """The API form of a stored cancellation row (repository.get), with its decision when there is one."""
    return CancellationOut(
        id=row.id,
        event_id=row.event_id,
        registry=row.registry,
        serial_from=row.serial_from,
        serial_to=row.serial_to,
        series=row.series,
        range_start=int(row.range_start),
        range_end=int(row.range_end),
        quantity_g=int(row.quantity),
        cancellation_ref=row.cancellation_ref,
        cancelled_on=row.cancelled_on,
        beneficiary=row.beneficiary,
        purpose=row.purpose,
        project_id=row.project_id,
        project_province=row.project_province,
        vintage=int(row.vintage),
        evidence_sha256=row.evidence_sha256,
        evidence_url=row.evidence_url,
        status=row.status,
        decision=_decision(row),
        log_index=int(row.leaf_index),
        recorded_at=aware(row.created_at),
    )


def record(session: Executor, principal: Principal, request: CancellationCreate) -> CancellationOut:
    """Record an external claim for an event the caller may act for, unless its serials are claimed (409)."""
    rules.event_to_retire_for(session, request.event_id, principal)
    parsed = parse(request)
    repository.claim_series(session, parsed.registry, parsed.series)
    earlier = repository.first_overlap(session, parsed)
    if earlier is not None:
        raise DoubleClaim(
            f"These {parsed.registry} serials overlap external cancellation {earlier.id} "
            f"({earlier.serial_from} to {earlier.serial_to}, reference {earlier.cancellation_ref}) "
            f"recorded for event {earlier.event_id}: the same units cannot be claimed twice. If that claim is "
            "not its recorder's to make, the regulator can void it.",
            earlier_id=earlier.id,
            earlier_event_id=earlier.event_id,
        )
    cancellation_id = new_id("xc")
    now = utc_now()
    values = {
        "id": cancellation_id,
        "event_id": request.event_id,
        "registry": parsed.registry,
        "serial_from": request.serial_from,
        "serial_to": request.serial_to,
        "series": parsed.series,
        "range_start": parsed.start,
        "range_end": parsed.end,
        "quantity": request.quantity,
        "cancellation_ref": request.cancellation_ref,
        "cancelled_on": request.cancelled_on,
        "beneficiary": request.beneficiary,
        "purpose": request.purpose,
        "project_id": request.project_id,
        "project_province": request.project_province,
        "vintage": request.vintage,
        "evidence_sha256": request.evidence_sha256,
        "evidence_url": request.evidence_url,
        "status": "claimed",
        "recorded_by": principal.client_id,
        "version": 1,
        "created_at": now,
    }
    repository.add(session, values)
    facts = {
        k: v.isoformat() if isinstance(v, date) else v
        for k, v in values.items()
        if k not in ("id", "created_at", "quantity", "status", "recorded_by", "version")
    }
    # The API's field names are the columns', but for the quantity and the moment it was recorded.
    result = CancellationOut.model_validate(
        {**values, "quantity_g": request.quantity, "log_index": log.PENDING_INDEX, "recorded_at": now}
    )
    log.queue_entry(
        session,
        "external_cancellation",
        cancellation_id,
        {"cancellation_id": cancellation_id, "quantity_g": request.quantity, **facts},
        log.Notice(TOPIC, notification(result)),
    )
    return result


def notification(result: CancellationOut) -> dict[str, object]:
    """The `cancellation.recorded` payload, exactly the fields docs/notifications.md lists."""
    return result.model_dump(
        mode="json",
        include={
            "id",
            "event_id",
            "registry",
            "serial_from",
            "serial_to",
            "quantity_g",
            "cancellation_ref",
            "cancelled_on",
            "beneficiary",
            "purpose",
            "project_id",
            "project_province",
            "vintage",
            "status",
            "decision",
            "log_index",
            "recorded_at",
        },
    )
