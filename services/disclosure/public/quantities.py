"""Exact quantities for the public: integer grams shown as tonnes without ever passing through a float."""

from __future__ import annotations

from decimal import Decimal


def tonnes_from_grams(grams: int) -> str:
    """Grams CO2e as tonnes, exactly, with all six decimals (e.g. 220000000 -> "220.000000")."""
    return format(Decimal(grams).scaleb(-6), "f")


def tonnes_from_kilograms(kilograms: str) -> str:
    """Kilograms CO2e (a decimal string) as tonnes, exactly, with at least three decimals."""
    value = Decimal(kilograms).scaleb(-3)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -3:
        value = value.quantize(Decimal("0.001"))
    return format(value, "f")
