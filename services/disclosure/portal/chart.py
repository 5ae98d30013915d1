"""The emissions breakdown chart's geometry, in exact decimals; the template draws it as inline SVG."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from services.disclosure.portal.numbers import tonnes_text

WIDTH = 400
ROW_HEIGHT = 46
LABEL_BASELINE = 17
BAR_TOP = 24
BAR_HEIGHT = 14
PALETTE_SIZE = 6


@dataclass(frozen=True)
class Bar:
    """One source type: its label, its value as text, and the bar's place."""

    key: str
    label: str
    tonnes: str
    label_y: int
    bar_y: int
    width: str
    colour: int


@dataclass(frozen=True)
class Chart:
    """Bars from largest to smallest, and the drawing's size."""

    bars: list[Bar]
    width: int
    height: int
    bar_height: int


def emissions_chart(by_source_type: dict[str, str], label: Callable[[str], str]) -> Chart | None:
    """A horizontal bar per source type, scaled to the largest; None when there is nothing to draw."""
    values = {key: max(Decimal(value), Decimal(0)) for key, value in by_source_type.items()}
    if not values:
        return None
    largest = max(values.values())
    ordered = sorted(values, key=lambda key: (-values[key], key))
    bars = []
    for row, key in enumerate(ordered):
        share = values[key] / largest if largest else Decimal(0)
        top = row * ROW_HEIGHT
        bars.append(
            Bar(
                key=key,
                label=label(key),
                tonnes=tonnes_text(kilograms=by_source_type[key]),
                label_y=top + LABEL_BASELINE,
                bar_y=top + BAR_TOP,
                # Presentation only: the bar's length is rounded, its value is shown exactly beside it.
                width=format((share * WIDTH).quantize(Decimal("0.1")), "f"),
                colour=row % PALETTE_SIZE,
            )
        )
    return Chart(bars=bars, width=WIDTH, height=len(bars) * ROW_HEIGHT, bar_height=BAR_HEIGHT)
