"""How planned offsets rank in the province's recommended order (a recommendation, never a block).

Each offset is ranked by its offset kind when given; otherwise by its unit type when the profile names
it in a tier (HNCI, SDCI); otherwise by the kind its unit type implies (CEA, CER, VCU; CCER is
`ccer_in_province` when its project is in the profile's province). Anything else is unranked, and the
preview says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.accounting.policies.vocabulary import OffsetKind

IMPLIED_KINDS = {"CEA": OffsetKind.CEA, "CER": OffsetKind.CER, "VCU": OffsetKind.VCU}


@dataclass(frozen=True)
class PlannedOffset:
    """An offset the plan intends to use."""

    unit_type: str
    offset_kind: OffsetKind | None
    quantity_g: int
    project_province: str | None = None


def _implied_kind(offset: PlannedOffset, jurisdiction: str) -> OffsetKind | None:
    if offset.unit_type == "CCER":
        return OffsetKind.CCER_IN_PROVINCE if offset.project_province == jurisdiction else OffsetKind.CCER
    return IMPLIED_KINDS.get(offset.unit_type)


def _tier_by(tiers: list[dict[str, Any]], key: str, value: str) -> dict[str, Any] | None:
    return next((tier for tier in tiers if value in tier[key]), None)


def rank(offset: PlannedOffset, policy: dict[str, Any]) -> dict[str, Any]:
    """One planned offset with its tier (null when unranked), the kind it was ranked by, and why."""
    tiers: list[dict[str, Any]] = policy["priority"]
    profile, jurisdiction = policy["profile_id"], policy["jurisdiction"]
    kind = offset.offset_kind
    tier = None
    if kind is not None:
        tier = _tier_by(tiers, "kinds", kind.value)
    else:
        tier = _tier_by(tiers, "unit_types", offset.unit_type)
        if tier is None:
            kind = _implied_kind(offset, jurisdiction)
            tier = _tier_by(tiers, "kinds", kind.value) if kind is not None else None
    accepted = None if kind is None else kind.value in policy["accepted_offsets"]
    if tier is not None:
        reason = f"Tier {tier['tier']} of {profile}: {tier['label']['en']}."
        accepted = True if accepted is None else accepted
    elif kind is None:
        reason = f"{offset.unit_type} is not named in the recommended order of {profile}; give offset_kind to rank it."
    elif accepted:
        reason = f"{kind.value} is accepted by {profile} but is outside its recommended order."
    else:
        reason = f"{kind.value} is not among the offsets {profile} accepts."
    if offset.unit_type == "CCER" and offset.offset_kind is None and offset.project_province is None:
        reason += f" Give project_province to rank CCER from projects inside {jurisdiction}."
    return {
        "unit_type": offset.unit_type,
        "offset_kind": None if kind is None else kind.value,
        "quantity_g": offset.quantity_g,
        "project_province": offset.project_province,
        "priority_tier": None if tier is None else tier["tier"],
        "accepted": accepted,
        "reason": reason,
    }


def preview(offsets: list[PlannedOffset], policy: dict[str, Any]) -> dict[str, Any]:
    """Every planned offset ranked, grams per tier, what is unranked, and the conditions that apply."""
    ranked = [rank(offset, policy) for offset in offsets]
    kinds = {entry["offset_kind"] for entry in ranked if entry["offset_kind"]}
    return {
        "profile_id": policy["profile_id"],
        "recommendation": "The order is the province's recommendation: it shows compliance and never blocks a "
        "legal choice.",
        "offsets": ranked,
        "tiers": [
            {
                "tier": tier["tier"],
                "label": tier["label"],
                "kinds": tier["kinds"],
                "unit_types": tier["unit_types"],
                "quantity_g": sum(e["quantity_g"] for e in ranked if e["priority_tier"] == tier["tier"]),
            }
            for tier in policy["priority"]
        ],
        "unranked_quantity_g": sum(e["quantity_g"] for e in ranked if e["priority_tier"] is None),
        "constraints": [c for c in policy["offset_constraints"] if kinds & set(c["applies_to"])],
        "deadlines": [d for d in policy["sink_project_deadlines"] if kinds & set(d["applies_to"])],
    }
