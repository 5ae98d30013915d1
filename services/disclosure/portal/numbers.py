"""Quantities as people read them: tonnes with thousands separators, exact to the digits the data has."""

from __future__ import annotations

from decimal import Decimal


def _readable(tonnes: Decimal) -> str:
    value = tonnes.normalize()
    exponent = value.as_tuple().exponent
    # Kilogram precision at least, finer only when the data is finer: never rounded.
    if isinstance(exponent, int) and exponent > -3:
        value = value.quantize(Decimal("0.001"))
    return format(value, ",f")


def tonnes_text(*, grams: int | None = None, kilograms: str | None = None) -> str:
    """Grams or kilograms CO2e as readable tonnes, e.g. 1,234.500."""
    if grams is not None:
        return _readable(Decimal(grams).scaleb(-6))
    if kilograms is not None:
        return _readable(Decimal(kilograms).scaleb(-3))
    return ""
