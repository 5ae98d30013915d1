"""Recording cancellations made in external registries, once: overlapping serials are a double claim.

Units of CCER, CEA, CER and VCU are tonnes of CO2e, so a quantity in grams must be whole tonnes,
and where the serials carry a numeric range its length must equal the quantity: (last - first + 1)
x 1,000,000 g. Opaque serials (no trailing number) cannot be counted and are compared as text.
"""

from __future__ import annotations

import re

from services.registry.cancellations import repository
from services.registry.cancellations.models import ExternalCancellation
from services.registry.cancellations.schemas import CancellationCreate, CancellationOut
from services.registry.cancellations.serials import ParsedRange, parse_external
from services.registry.identifiers import aware, new_id, utc_now
from services.registry.log import service as log
from services.registry.problems import DoubleClaim
from services.registry.vocabulary import GRAMS_PER_TONNE
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
    return parsed


def out(record: ExternalCancellation, log_index: int) -> CancellationOut:
    """The API form of a recorded cancellation."""
    return CancellationOut(
        id=record.id,
        event_id=record.event_id,
        registry=record.registry_name,
        serial_from=record.serial_from,
        serial_to=record.serial_to,
        series=record.series,
        range_start=record.range_start,
        range_end=record.range_end,
        quantity_g=record.quantity,
        cancellation_ref=record.cancellation_ref,
        project_id=record.project_id,
        project_province=record.project_province,
        vintage=record.vintage,
        evidence_sha256=record.evidence_sha256,
        log_index=log_index,
        recorded_at=aware(record.created_at),
    )


def record(session: Executor, request: CancellationCreate) -> CancellationOut:
    """Record an external cancellation unless any of its serials was claimed before (409)."""
    parsed = parse(request)
    repository.claim_series(session, parsed.registry, parsed.series)
    earlier = repository.first_overlap(session, parsed)
    if earlier is not None:
        raise DoubleClaim(
            f"These {parsed.registry} serials overlap external cancellation {earlier.id} "
            f"({earlier.serial_from} to {earlier.serial_to}, reference {earlier.cancellation_ref}) "
            f"recorded for event {earlier.event_id}: the same units cannot be claimed twice.",
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
        "project_id": request.project_id,
        "project_province": request.project_province,
        "vintage": request.vintage,
        "evidence_sha256": request.evidence_sha256,
        "created_at": now,
    }
    repository.add(session, values)
    facts = {k: v for k, v in values.items() if k not in ("id", "created_at", "quantity")}
    result = CancellationOut(
        id=cancellation_id,
        event_id=request.event_id,
        registry=parsed.registry,
        serial_from=request.serial_from,
        serial_to=request.serial_to,
        series=parsed.series,
        range_start=parsed.start,
        range_end=parsed.end,
        quantity_g=request.quantity,
        cancellation_ref=request.cancellation_ref,
        project_id=request.project_id,
        project_province=request.project_province,
        vintage=request.vintage,
        evidence_sha256=request.evidence_sha256,
        log_index=log.PENDING_INDEX,
        recorded_at=now,
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
            "project_id",
            "project_province",
            "vintage",
            "log_index",
            "recorded_at",
        },
    )
