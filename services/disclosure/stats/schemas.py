"""The public statistics."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Bucket(BaseModel):
    """A quantity retired under one key (a unit type, a province or a month)."""

    key: str
    quantity_g: int = Field(description="Grams CO2e (exact)")
    tonnes: str = Field(description="Tonnes CO2e as an exact decimal string")


class Stats(BaseModel):
    """Platform-wide figures, computed from integer grams."""

    events_disclosed: int
    events_neutralized: int = Field(description="Events holding a certificate that is not revoked")
    certificates_valid: int
    certificates_revoked: int
    retired_total_g: int
    retired_total_tonnes: str
    by_unit_type: list[Bucket] = Field(description="Platform unit types and external registries (CCER, CEA, ...)")
    by_province: list[Bucket] = Field(description="By the province of the credits' project; 'unknown' if not given")
    by_month: list[Bucket] = Field(description="By the month of the retirement or cancellation (China Standard Time)")
