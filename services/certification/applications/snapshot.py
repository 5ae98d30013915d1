"""The policy an application was checked against, stored with it so check 4 can run again without accounting."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.certification.upstream.facts import PolicyFacts, SinkDeadline


def policy_json(policy: PolicyFacts) -> dict[str, Any]:
    """The stored form of a policy."""
    return {
        "profile_id": policy.profile_id,
        "version": policy.version,
        "band": policy.band,
        "confirmation_method": policy.confirmation_method,
        "accepted_methods": list(policy.accepted_methods),
        "self_commitment_contents": list(policy.self_commitment_contents),
        "neutrality_deadline": policy.neutrality_deadline.isoformat(),
        "sink_deadlines": [
            {"id": d.id, "due_on": d.due_on.isoformat(), "applies_to": list(d.applies_to)}
            for d in policy.sink_deadlines
        ],
    }


def policy_from_json(data: dict[str, Any]) -> PolicyFacts:
    """A stored policy."""
    return PolicyFacts(
        profile_id=data["profile_id"],
        version=data["version"],
        band=data["band"],
        confirmation_method=data["confirmation_method"],
        accepted_methods=tuple(data["accepted_methods"]),
        self_commitment_contents=tuple(data["self_commitment_contents"]),
        neutrality_deadline=date.fromisoformat(data["neutrality_deadline"]),
        sink_deadlines=tuple(
            SinkDeadline(d["id"], date.fromisoformat(d["due_on"]), tuple(d["applies_to"]))
            for d in data["sink_deadlines"]
        ),
    )
