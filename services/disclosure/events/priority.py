"""A policy's recommended offset order, read as a tier per unit type.

Profiles may write the order as `{"HNCI": 1, "CCER": 3}`, as `{"1": ["HNCI"], "3": ["CCER"]}`, or as
a list of tiers (`[{"tier": 1, "unit_types": [...]}, ...]`, `[["HNCI"], ["CCER"]]` or `["HNCI", "CCER"]`).
A unit type named in several tiers takes the first (best) one.
"""

from __future__ import annotations

from typing import Any


def _tier(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _units(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _pairs(priority: Any) -> list[tuple[int, list[str]]]:
    pairs: list[tuple[int, list[str]]] = []
    if isinstance(priority, dict):
        for key, value in priority.items():
            if (tier := _tier(value)) is not None:
                pairs.append((tier, [key]))
            elif (tier := _tier(key)) is not None:
                pairs.append((tier, _units(value)))
    elif isinstance(priority, list):
        for position, entry in enumerate(priority, start=1):
            if isinstance(entry, dict):
                tier = _tier(entry.get("tier", entry.get("rank", position)))
                units = _units(entry.get("unit_types", entry.get("unit_type")))
                if tier is not None:
                    pairs.append((tier, units))
            else:
                pairs.append((position, _units(entry)))
    return pairs


def priority_ranks(priority: Any) -> dict[str, int]:
    """Unit type -> tier (1 is recommended first); empty when the policy gives no order."""
    ranks: dict[str, int] = {}
    for tier, units in sorted(_pairs(priority), key=lambda pair: pair[0]):
        for unit in units:
            ranks.setdefault(unit, tier)
    return ranks
