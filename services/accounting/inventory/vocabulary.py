"""The accounting vocabulary: emission source types, their scopes, event phases and data quality tiers."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Scope = Literal[1, 2, 3]


class Category(StrEnum):
    """Emission source types of the MEE 2019 guideline for large events."""

    FIXED_COMBUSTION = "fixed_combustion"
    MOBILE_COMBUSTION = "mobile_combustion"
    PURCHASED_ELECTRICITY = "purchased_electricity"
    PURCHASED_HEAT = "purchased_heat"
    TRAVEL = "travel"
    ACCOMMODATION = "accommodation"
    CATERING = "catering"
    MATERIALS = "materials"
    WASTE = "waste"
    WATER = "water"


class Phase(StrEnum):
    """The event phases the guideline's boundary covers."""

    PREPARATION = "preparation"
    HOLDING = "holding"
    WRAP_UP = "wrap_up"


class DataQuality(StrEnum):
    """How the activity data was obtained, best first."""

    MEASURED = "measured"
    CALCULATED = "calculated"
    ESTIMATED = "estimated"


# Scope 1 is combustion on site, scope 2 bought energy, scope 3 everything caused elsewhere.
SCOPE_OF: dict[Category, Scope] = {
    Category.FIXED_COMBUSTION: 1,
    Category.MOBILE_COMBUSTION: 1,
    Category.PURCHASED_ELECTRICITY: 2,
    Category.PURCHASED_HEAT: 2,
    Category.TRAVEL: 3,
    Category.ACCOMMODATION: 3,
    Category.CATERING: 3,
    Category.MATERIALS: 3,
    Category.WASTE: 3,
    Category.WATER: 3,
}


def scope_of(category: Category) -> Scope:
    """The scope (1, 2 or 3) an emission source type reports under."""
    return SCOPE_OF[category]
