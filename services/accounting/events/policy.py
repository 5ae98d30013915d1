"""The policy that applies to an event, as the document stored with it and shown to clients.

The keys shared with the `event.updated` notification (profile_id, version, band, neutrality,
confirmation_method, deadline, disclosure_fields, priority) have the same shape in both.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.accounting.policies.document import PolicyProfile, SourceRef
from services.accounting.policies.profiles import PolicyResolution, default_profiles, resolve
from services.accounting.policies.vocabulary import DisclosureField, HostType

# Disclosure items are named as the profiles name them (docs/notifications.md), except the
# implementation plan, which disclosure reads as its parts: boundary, reduction measures, offset method.
DISCLOSURE_FIELD_NAMES: dict[DisclosureField, tuple[str, ...]] = {
    DisclosureField.IMPLEMENTATION_PLAN: (
        DisclosureField.ACCOUNTING_BOUNDARY.value,
        "reduction_measures",
        DisclosureField.OFFSET_METHOD.value,
    ),
}

# What the notification carries of the policy; the rest stays in the REST representation.
NOTIFIED_KEYS = (
    "profile_id",
    "version",
    "band",
    "neutrality",
    "confirmation_method",
    "deadline",
    "disclosure_fields",
    "priority",
)


def _source(ref: SourceRef | None) -> dict[str, Any] | None:
    return None if ref is None else ref.model_dump(mode="json")


def disclosure_fields(resolution: PolicyResolution) -> list[str]:
    """Every item the profile discloses for this event's band, once each, the plan named by its parts."""
    names: list[str] = []
    for rule in resolution.disclosures:
        for item in rule.fields:
            names.extend(name for name in DISCLOSURE_FIELD_NAMES.get(item, (item.value,)) if name not in names)
    return names


def priority_tiers(profile: PolicyProfile) -> list[dict[str, Any]]:
    """The recommended offset order: tier number, label, offset kinds and the unit types named for it."""
    return [
        {
            "tier": tier.rank,
            "label": tier.label.model_dump(),
            "kinds": [kind.value for kind in tier.kinds],
            "unit_types": list(tier.unit_types),
            "note": tier.note,
            "source": _source(tier.source),
        }
        for tier in profile.offsets.tiers
    ]


def policy_document(resolution: PolicyResolution) -> dict[str, Any]:
    """The resolved policy as stored with the event: every rule with the clause it comes from."""
    profile = default_profiles().get(resolution.profile_id)
    certificate = profile.certificate
    return {
        "profile_id": resolution.profile_id,
        "version": resolution.profile_version,
        "jurisdiction": resolution.profile_jurisdiction,
        "fallback": resolution.fallback,
        "band": resolution.band_id,
        "band_label": resolution.band_label.model_dump(),
        "neutrality": resolution.obligation.value,
        "neutrality_source": _source(resolution.obligation_source),
        "confirmation_method": resolution.confirmation_method.value,
        "accepted_confirmation_methods": [m.value for m in resolution.accepted_confirmation_methods],
        "confirmation_source": _source(resolution.confirmation_source),
        "self_commitment": (
            {
                "contents": [item.value for item in resolution.self_commitment_contents],
                "source": _source(resolution.self_commitment_source),
            }
            if resolution.self_commitment_contents
            else None
        ),
        "deadline": resolution.neutrality_deadline.isoformat(),
        "deadline_source": _source(resolution.neutrality_deadline_source),
        "sink_project_deadlines": [
            {
                "id": rule.id,
                "label": rule.label.model_dump(),
                "due_on": rule.due_on.isoformat(),
                "months_after_end": rule.months_after_end,
                "applies_to": [kind.value for kind in rule.applies_to],
                "note": rule.note,
                "source": _source(rule.source),
            }
            for rule in resolution.sink_project_deadlines
        ],
        "disclosure_fields": disclosure_fields(resolution),
        "disclosures": [
            {"id": rule.id, "fields": [f.value for f in rule.fields], "channel": rule.channel}
            for rule in resolution.disclosures
        ],
        "priority": priority_tiers(profile),
        "accepted_offsets": [kind.value for kind in profile.offsets.accepted],
        "offset_constraints": [
            {
                "id": rule.id,
                "applies_to": [kind.value for kind in rule.applies_to],
                "statement": rule.statement.model_dump(),
            }
            for rule in profile.offsets.constraints
        ],
        "certificate": {
            "issued": certificate.issued,
            "name": certificate.name,
            "issuer": certificate.issuer.model_dump() if certificate.issuer else None,
        },
        "notes": list(resolution.notes),
    }


def resolve_policy(jurisdiction: str, host_type: HostType, expected_participants: int, ends_on: date) -> dict[str, Any]:
    """Resolve the profile in force for an event's facts and return its document."""
    return policy_document(resolve(jurisdiction, host_type, expected_participants, ends_on))


def notified_policy(document: dict[str, Any]) -> dict[str, Any]:
    """The part of the policy that travels in `event.updated` (priority without sources)."""
    policy = {key: document.get(key) for key in NOTIFIED_KEYS}
    policy["priority"] = [
        {key: tier[key] for key in ("tier", "label", "kinds", "unit_types")} for tier in document.get("priority", [])
    ]
    return policy
