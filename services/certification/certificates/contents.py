"""What goes into a certificate, taken from an application's evidence: the credential's inputs and its public record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.certification.applications.checks import Evidence
from services.certification.applications.priority import tier_by_unit_type
from services.certification.certificates.credential import (
    CertifiedEvent,
    ExternalCancellation,
    Issuer,
    RegistryRetirement,
)
from services.certification.upstream.facts import ProfileFacts, SerialRange

# Serial strings of platform blocks end in -<15-digit start>-<15-digit end> after the series.
_SERIAL_DIGITS = 15


@dataclass(frozen=True)
class CertificateContents:
    """The credential's inputs and the record the certificate's notifications carry."""

    event: CertifiedEvent
    retirements: list[RegistryRetirement]
    cancellations: list[ExternalCancellation]
    record: dict[str, Any]


def issuer_name(profile: ProfileFacts, fallback: str) -> str:
    """The issuer the profile names (both languages), else the platform's configured issuer."""
    if profile.certificate_issued and profile.issuer_zh:
        return f"{profile.issuer_zh} {profile.issuer_en}" if profile.issuer_en else profile.issuer_zh
    return fallback


def serial_bounds(serial_range: SerialRange) -> tuple[str, str]:
    """The first and last serial of a retired range, in the registry's serial format."""
    parts = serial_range.serial.rsplit("-", 2)
    if len(parts) != 3:
        return serial_range.serial, serial_range.serial
    series = parts[0]
    return f"{series}-{serial_range.start:0{_SERIAL_DIGITS}d}", f"{series}-{serial_range.end:0{_SERIAL_DIGITS}d}"


def certificate_contents(evidence: Evidence, method: str, issuer: Issuer) -> CertificateContents:
    """Everything a certificate states about the event and its offsets."""
    event = evidence.event
    if event.accounted is None:
        raise ValueError("a certificate needs accounted emissions")
    retirements: list[RegistryRetirement] = []
    cancellations: list[ExternalCancellation] = []
    retired_out: list[dict[str, Any]] = []
    cancelled_out: list[dict[str, Any]] = []
    for offset in evidence.offsets.counted:
        if offset.cancellation is not None:
            c = offset.cancellation
            cancellations.append(
                ExternalCancellation(c.registry, c.serial_from, c.serial_to, offset.quantity_g, c.cancellation_ref,
                                     offset.log_index)
            )
            cancelled_out.append({"record_id": c.id, "registry": c.registry, "serial_from": c.serial_from,
                                  "serial_to": c.serial_to, "quantity_g": offset.quantity_g,
                                  "cancellation_ref": c.cancellation_ref, "log_index": offset.log_index})
            continue
        for serial_range in offset.serial_ranges:
            first, last = serial_bounds(serial_range)
            retirements.append(
                RegistryRetirement(offset.record_id, offset.unit_type, first, last, serial_range.quantity_g,
                                   offset.log_index)
            )
            retired_out.append({"record_id": offset.record_id, "kind": offset.kind, "unit_type": offset.unit_type,
                                "serial_from": first, "serial_to": last, "quantity_g": serial_range.quantity_g,
                                "log_index": offset.log_index})
    certified = CertifiedEvent(
        event_id=event.id,
        name=event.name,
        organizers=event.organizers,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        jurisdiction=event.jurisdiction,
        accounted_emissions_kg=event.accounted.total_kgco2e,
    )
    record = {
        "event_name": event.name,
        "organizers": list(event.organizers),
        "starts_at": event.starts_on.isoformat(),
        "ends_at": event.ends_on.isoformat(),
        "accounted_kgco2e": format(event.accounted.total_kgco2e, "f"),
        "offsets": [
            {"unit_type": unit_type, "quantity_g": grams, "priority_tier": tier}
            for unit_type, tier, grams in tier_by_unit_type(evidence.ranked())
        ],
        "registry_retirements": retired_out,
        "external_cancellations": cancelled_out,
        "confirmation_method": method,
        "issuer": issuer.name,
        "policy_profile": f"{event.policy.profile_id}@{event.policy.version}",
    }
    return CertificateContents(certified, retirements, cancellations, record)
