"""Field types every registry schema shares: grams, unit types, provinces, identifiers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

MAX_GRAMS = 10**15
GRAMS_PER_TONNE = 1_000_000
UNIT_PROVINCES = {"HNCI": "CN-HI", "SDCI": "CN-SD"}

UnitType = Literal["HNCI", "SDCI"]
Grams = Annotated[
    int,
    Field(
        strict=True,
        ge=1,
        le=MAX_GRAMS,
        description="Grams of CO2e as an exact integer (1 t = 1,000,000 g), from 1 to 10^15. "
        "Fractions, floats, strings and zero are refused.",
        examples=[220_000_000],
    ),
]
Identifier = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9:._@-]*$")]
# An owner or a client: the platform's own (``org:hainan-expo``), or a trusted sign-on's, namespaced by
# the issuer's alias (``hainan/8f14e45f-…``, README: sign-on), which no platform owner can take.
Party = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^(?:[a-z][a-z0-9-]{0,31}/)?[A-Za-z0-9][A-Za-z0-9:._@-]*$",
        description="A platform owner or client, or a sign-on's as <issuer alias>/<subject>",
    ),
]
AccountId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z]+_[0-9a-f]+$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Province = Annotated[
    str, Field(max_length=5, pattern=r"^CN-[A-Z]{2}$", description="ISO 3166-2 code, e.g. CN-HI or CN-SD")
]
Vintage = Annotated[int, Field(strict=True, ge=1990, le=9999, description="The year the reductions happened")]
