"""Which fields of an event its policy profile discloses, and where each lives in the event's state.

A profile's `disclosure_fields` names fields in this vocabulary (the province documents in words):

| profile field          | disclosed as                                      |
|------------------------|---------------------------------------------------|
| name (event_name)      | name                                              |
| organizers             | organizers                                        |
| kind, host_type, venue | the same key                                      |
| dates                  | starts_at, ends_at                                |
| scale (participants)   | expected_participants, actual_participants       |
| boundary (accounting_boundary) | boundary (plan)                           |
| reduction_measures     | reduction_measures (plan)                         |
| accounted_emissions    | accounted_emissions (emissions)                   |
| offset_method          | offset_method: planned offsets, unit types used   |
| neutrality_date        | neutrality_date: the day of the last offset       |
| neutrality_deadline    | neutrality_deadline (policy deadline)             |
| confirmation_method    | confirmation_method (confirmation)                |

Names in parentheses are accepted aliases. A name outside the vocabulary discloses nothing.

Every event also shows whether its implementation plan was made late (on or after its first day) and
each change of band its actual participant count made, with the confirmation method before and
after: how the event's neutrality is confirmed is the public's business under every profile. The
count itself is shown only where the profile discloses the scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.disclosure.public.quantities import tonnes_from_grams


@dataclass(frozen=True)
class Facts:
    """What the read model knows about an event beyond its own state."""

    used_unit_types: list[str]
    neutrality_date: date | None


Field = Callable[[dict[str, Any], Facts], dict[str, Any]]


def _plan(document: dict[str, Any], key: str) -> Any:
    plan = document.get("plan")
    return None if plan is None else plan.get(key)


def _policy(document: dict[str, Any], key: str) -> Any:
    policy = document.get("policy")
    return None if policy is None else policy.get(key)


def _accounted(document: dict[str, Any], _facts: Facts) -> dict[str, Any]:
    accounted = document.get("accounted")
    if accounted is None:
        return {"accounted_emissions": None}
    keys = (
        "total_kgco2e", "by_source_type", "by_scope", "by_phase", "market_based_electricity_kgco2e",
        "location_based_electricity_kgco2e", "inventory_version", "factor_dataset_version", "submitted_at",
    )
    return {"accounted_emissions": {key: accounted.get(key) for key in keys}}


def _offset_method(document: dict[str, Any], facts: Facts) -> dict[str, Any]:
    planned = [
        {"unit_type": p["unit_type"], "quantity_g": p["quantity_g"], "tonnes": tonnes_from_grams(p["quantity_g"])}
        for p in _plan(document, "planned_offsets") or []
    ]
    return {"offset_method": {"planned": planned, "used_unit_types": facts.used_unit_types}}


def _copy(*keys: str) -> Field:
    return lambda document, _facts: {key: document.get(key) for key in keys}


VOCABULARY: dict[str, Field] = {
    "name": _copy("name"),
    "organizers": _copy("organizers"),
    "kind": _copy("kind"),
    "host_type": _copy("host_type"),
    "venue": _copy("venue"),
    "dates": _copy("starts_at", "ends_at"),
    "scale": _copy("expected_participants", "actual_participants"),
    "boundary": lambda d, _f: {"boundary": _plan(d, "boundary")},
    "reduction_measures": lambda d, _f: {"reduction_measures": _plan(d, "reduction_measures")},
    "accounted_emissions": _accounted,
    "offset_method": _offset_method,
    "neutrality_date": lambda _d, f: {"neutrality_date": f.neutrality_date},
    "neutrality_deadline": lambda d, _f: {"neutrality_deadline": _policy(d, "deadline")},
    "confirmation_method": lambda d, _f: {"confirmation_method": _policy(d, "confirmation_method")},
}
ALIASES = {
    # The policy profiles' own names (services/accounting/policies/profiles/*.toml).
    "event_name": "name",
    "accounting_boundary": "boundary",
    "participants": "scale",
    "emissions": "accounted_emissions",
    "confirmation": "confirmation_method",
}


def late_plan(document: dict[str, Any]) -> bool | None:
    """Whether the plan was made on or after the first day; None when the event has no plan."""
    plan = document.get("plan")
    return None if plan is None else bool(plan.get("late", False))


def band_changes(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The event's band changes, the participant count only where the profile discloses the scale."""
    scale = "scale" in profile_fields(document)
    return [
        {**change, "participants": change.get("participants") if scale else None}
        for change in document.get("band_changes") or []
    ]


def profile_fields(document: dict[str, Any]) -> list[str]:
    """The vocabulary names the event's profile discloses, in the profile's order, aliases resolved."""
    found: list[str] = []
    for raw in _policy(document, "disclosure_fields") or []:
        name = ALIASES.get(raw, raw)
        if name in VOCABULARY and name not in found:
            found.append(name)
    return found


def disclosed(document: dict[str, Any], facts: Facts) -> dict[str, Any]:
    """Exactly the fields the profile allows, under their public keys."""
    values: dict[str, Any] = {}
    for name in profile_fields(document):
        values.update(VOCABULARY[name](document, facts))
    return values
