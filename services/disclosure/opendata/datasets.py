"""The open datasets: the same records and numbers as the API, read in keyset batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.disclosure.certificates import repository as certificates
from services.disclosure.certificates.schemas import CertificateOut
from services.disclosure.certificates.service import to_public
from services.disclosure.events import repository as events
from services.disclosure.events.repository import EventFilters
from services.disclosure.events.schemas import EventDetail
from services.disclosure.events.service import build_details
from services.disclosure.retirements.repository import RetirementFilters
from services.disclosure.retirements.schemas import RetirementRecord
from services.disclosure.retirements.service import list_records

BATCH = 500
DatasetName = Literal["events", "retirements", "certificates"]


def _events(session: Session) -> Iterator[BaseModel]:
    after = None
    while rows := events.list_events(session, EventFilters(), after, BATCH):
        yield from build_details(session, rows)
        after = (rows[-1].starts_on, rows[-1].id)


def _retirements(session: Session) -> Iterator[BaseModel]:
    after = None
    while records := list_records(session, RetirementFilters(), after, BATCH):
        yield from records
        after = (records[-1].recorded_at, records[-1].id)


def _certificates(session: Session) -> Iterator[BaseModel]:
    after = None
    while rows := certificates.list_certificates(session, after, BATCH):
        yield from (to_public(row) for row in rows)
        after = rows[-1].id


def _joined(values: list[str] | None) -> str | None:
    return None if values is None else "; ".join(values)


def event_row(item: BaseModel) -> dict[str, Any]:
    """An event as one CSV row; columns its profile does not disclose stay empty."""
    assert isinstance(item, EventDetail)
    return {
        "id": item.id,
        "jurisdiction": item.jurisdiction,
        "status": item.status,
        "name": item.name,
        "organizers": _joined(item.organizers),
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "accounted_total_kgco2e": item.accounted_emissions.total_kgco2e if item.accounted_emissions else None,
        "offsets_total_g": item.offsets.total_g,
        "offsets_total_tonnes": item.offsets.total_tonnes,
        "certificate_id": item.certificate.id if item.certificate else None,
        "certificate_status": item.certificate.status if item.certificate else None,
    }


def retirement_row(item: BaseModel) -> dict[str, Any]:
    """A retirement, donation or external cancellation as one CSV row."""
    assert isinstance(item, RetirementRecord)
    ranges = item.serial_ranges
    return {
        "id": item.id,
        "kind": item.kind,
        "event_id": item.event_id,
        "registry": item.registry,
        "unit_type": item.unit_type,
        "quantity_g": item.quantity_g,
        "tonnes": item.tonnes,
        "log_index": item.log_index,
        "recorded_at": item.recorded_at.isoformat(),
        "serial_ranges": "; ".join(f"{r.serial}:{r.start}-{r.end}" for r in ranges) or None,
        "serial_from": item.serial_from,
        "serial_to": item.serial_to,
        "cancellation_ref": item.cancellation_ref,
        "project_ids": "; ".join(sorted({r.project_id for r in ranges if r.project_id})) or item.project_id,
        "provinces": "; ".join(sorted({r.province for r in ranges if r.province})) or item.project_province,
        "donor": item.donor,
        "beneficiary": item.beneficiary,
        "claim_status": item.status,
        "cancelled_on": None if item.cancelled_on is None else item.cancelled_on.isoformat(),
    }


def certificate_row(item: BaseModel) -> dict[str, Any]:
    """A certificate as one CSV row (the signed form is in the JSON dataset)."""
    assert isinstance(item, CertificateOut)
    return {
        "id": item.id,
        "event_id": item.event_id,
        "jurisdiction": item.jurisdiction,
        "status": item.status,
        "event_name": item.event_name,
        "organizers": _joined(item.organizers),
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "accounted_kgco2e": item.accounted_kgco2e,
        "offsets_total_g": sum(o.quantity_g for o in item.offsets),
        "confirmation_method": item.confirmation_method,
        "issuer": item.issuer,
        "issued_at": item.issued_at.isoformat(),
        "revoked_at": item.revoked_at.isoformat() if item.revoked_at else None,
        "revocation_reason": item.revocation_reason,
        "verification_url": item.verification_url,
    }


@dataclass(frozen=True)
class Dataset:
    """One open dataset: its records in order, and how a record becomes a CSV row."""

    records: Callable[[Session], Iterator[BaseModel]]
    row: Callable[[BaseModel], dict[str, Any]]
    columns: tuple[str, ...]
    # JSON items leave out what the API leaves out (an event's undisclosed fields).
    exclude_unset: bool


EVENT_COLUMNS = (
    "id", "jurisdiction", "status", "name", "organizers", "starts_at", "ends_at", "accounted_total_kgco2e",
    "offsets_total_g", "offsets_total_tonnes", "certificate_id", "certificate_status",
)
RETIREMENT_COLUMNS = (
    "id", "kind", "event_id", "registry", "unit_type", "quantity_g", "tonnes", "log_index", "recorded_at",
    "serial_ranges", "serial_from", "serial_to", "cancellation_ref", "project_ids", "provinces", "donor",
    "beneficiary", "claim_status", "cancelled_on",
)
CERTIFICATE_COLUMNS = (
    "id", "event_id", "jurisdiction", "status", "event_name", "organizers", "starts_at", "ends_at",
    "accounted_kgco2e", "offsets_total_g", "confirmation_method", "issuer", "issued_at", "revoked_at",
    "revocation_reason", "verification_url",
)
DATASETS: dict[str, Dataset] = {
    "events": Dataset(_events, event_row, EVENT_COLUMNS, exclude_unset=True),
    "retirements": Dataset(_retirements, retirement_row, RETIREMENT_COLUMNS, exclude_unset=False),
    "certificates": Dataset(_certificates, certificate_row, CERTIFICATE_COLUMNS, exclude_unset=False),
}
