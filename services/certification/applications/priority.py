"""How an event's offsets rank against its province's recommended order: a report, never a refusal.

Each proven offset is split by serial range (one retirement can draw on several projects) and given
the offset kind of the policy profile's vocabulary:

- a person's donation: personal carbon-inclusion credits;
- platform credits of a project in the event's province: a forestry project is a forestry sink, an
  ocean project an ocean sink, where the profile knows those kinds, and otherwise provincial
  carbon-inclusion credits; credits of a project in another province: another mechanism;
- external cancellations: CCER (inside the province or not), CEA, CER or VCU.

A kind ranks in the first tier that lists it (and, when the tier names unit types, its unit type).
A kind the profile accepts but does not rank is outside the recommended order; one it does not accept
at all is reported as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.certification.applications.proofs import CountedOffset
from services.certification.upstream.facts import OffsetTier, ProfileFacts

_EXTERNAL_KINDS = {"CEA": "cea", "CER": "cer", "VCU": "vcu"}
_SINK_KINDS = {"forestry": "forestry_sink", "ocean": "ocean_sink"}


@dataclass(frozen=True)
class RankedLine:
    """Part of an offset (one serial range, or a whole external cancellation) with its kind and tier."""

    record_id: str
    unit_type: str
    quantity_g: int
    kind: str
    tier: int | None
    accepted: bool
    project_id: str | None


def _platform_kind(category: str, province: str, donor: str | None, jurisdiction: str, accepted: set[str]) -> str:
    if donor == "person":
        return "personal_carbon_inclusion"
    if province != jurisdiction:
        return "other_mechanism"
    sink = _SINK_KINDS.get(category)
    if sink is not None and sink in accepted:
        return sink
    return "provincial_carbon_inclusion"


def _tier_of(kind: str, unit_type: str, tiers: Iterable[OffsetTier]) -> int | None:
    for tier in tiers:
        if kind in tier.kinds and (not tier.unit_types or unit_type in tier.unit_types):
            return tier.rank
    return None


def rank_offsets(offsets: Iterable[CountedOffset], profile: ProfileFacts, jurisdiction: str) -> list[RankedLine]:
    """Every proven offset, split by serial range, with its kind and tier in the profile's order."""
    accepted = set(profile.accepted_kinds)
    lines: list[RankedLine] = []
    for offset in offsets:
        parts: list[tuple[str, int, str | None]] = []
        if offset.cancellation is not None:
            cancellation = offset.cancellation
            if cancellation.registry == "CCER":
                kind = "ccer_in_province" if cancellation.project_province == jurisdiction else "ccer"
            else:
                kind = _EXTERNAL_KINDS.get(cancellation.registry, cancellation.registry.lower())
            parts.append((kind, offset.quantity_g, cancellation.project_id))
        else:
            for serial_range in offset.serial_ranges:
                kind = _platform_kind(
                    serial_range.category, serial_range.province, offset.donor, jurisdiction, accepted
                )
                parts.append((kind, serial_range.quantity_g, serial_range.project_id))
        for kind, grams, project_id in parts:
            lines.append(
                RankedLine(
                    record_id=offset.record_id,
                    unit_type=offset.unit_type,
                    quantity_g=grams,
                    kind=kind,
                    tier=_tier_of(kind, offset.unit_type, profile.tiers),
                    accepted=kind in accepted,
                    project_id=project_id,
                )
            )
    return lines


def tier_by_unit_type(lines: Iterable[RankedLine]) -> list[tuple[str, int | None, int]]:
    """Grams by (unit type, tier), for the certificate's offsets: unit type order, then best tier first."""
    totals: dict[tuple[str, int | None], int] = {}
    for line in lines:
        key = (line.unit_type, line.tier)
        totals[key] = totals.get(key, 0) + line.quantity_g
    ordered = sorted(totals.items(), key=lambda item: (item[0][0], item[0][1] is None, item[0][1] or 0))
    return [(unit_type, tier, grams) for (unit_type, tier), grams in ordered]
