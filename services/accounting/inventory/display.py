"""Writing exact quantities for people: plain exact numerals for traces, rounded figures for display only."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from services.accounting.inventory.units import product, tidy

_KG_PER_TONNE = Decimal("0.001")
# Display rounding is the one place digits may be dropped, so Inexact is not trapped here.
_DISPLAY = Context(prec=200, rounding=ROUND_HALF_EVEN)


def plain(value: Decimal, *, grouping: bool = True) -> str:
    """`value` exactly, without exponent or trailing zeros, with thousands separators unless told not to."""
    return format(tidy(value), ",f" if grouping else "f")


def numeral(value: Decimal) -> str:
    """`value` as a plain numeral with its digits as they are (`1.50`, `1000`; `0.0000001`, never `1E-7`)."""
    text = str(value)
    # The same text as format(value, "f") unless str() chose an exponent, at a fraction of the cost:
    # an inventory writes tens of thousands of numbers.
    return format(value, "f") if "E" in text or "e" in text else text


def rounded(value: Decimal, places: int) -> Decimal:
    """`value` rounded half-even to `places` decimals; for display, never for stored figures."""
    with localcontext(_DISPLAY):
        return value.quantize(Decimal(1).scaleb(-places))


def kg_to_tonnes(value_kg: Decimal) -> Decimal:
    """Kilograms as tonnes, exactly."""
    return product(value_kg, _KG_PER_TONNE)


def format_kgco2e(value_kg: Decimal, places: int = 2) -> str:
    """A kgCO2e figure for display, e.g. `643,920.00 kgCO2e`."""
    return f"{rounded(value_kg, places):,f} kgCO2e"


def format_tco2e(value_kg: Decimal, places: int = 3) -> str:
    """A kgCO2e figure shown in tonnes, e.g. `643.920 tCO2e`."""
    return f"{rounded(kg_to_tonnes(value_kg), places):,f} tCO2e"
