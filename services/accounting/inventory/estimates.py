"""Participant-based estimates: headcount, days and an origin mix become estimated activity lines.

Every assumption (meals per day, room-nights, occupancy, the factor of each travel mode) comes from the
factor dataset's `estimates` section, so changing an assumption is a data change with a new version.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, Inexact, localcontext

from services.accounting.errors import InvalidEstimate
from services.accounting.factors.library import FactorLibrary
from services.accounting.inventory.display import plain
from services.accounting.inventory.lines import ActivityLine
from services.accounting.inventory.units import EXACT, product, require_finite_non_negative, tidy, total
from services.accounting.inventory.vocabulary import Category, DataQuality, Phase
from services.accounting.records import FrozenModel

_ROUND_TRIP = Decimal(2)


class OriginShare(FrozenModel):
    """A share of participants travelling by one mode over an average one-way distance."""

    mode: str
    share: Decimal
    one_way_km: Decimal
    overnight: bool | None = None


def _check_inputs(headcount: int, days: int, origin_mix: Sequence[OriginShare], library: FactorLibrary) -> None:
    if isinstance(headcount, bool) or headcount < 0:
        raise InvalidEstimate(f"The headcount must be a whole number of zero or more (got {headcount}).")
    if isinstance(days, bool) or days < 1:
        raise InvalidEstimate(f"An event lasts at least one day (got {days}).")
    if not origin_mix:
        raise InvalidEstimate("The origin mix is empty; give at least one travel mode with its share.")
    modes = library.estimates.modes
    for origin in origin_mix:
        if origin.mode not in modes:
            raise InvalidEstimate(
                f"Unknown travel mode {origin.mode!r}; known modes are: {', '.join(sorted(modes))}.",
                mode=origin.mode,
            )
        require_finite_non_negative(origin.share, f"The share of {origin.mode}")
        require_finite_non_negative(origin.one_way_km, f"The one-way distance of {origin.mode}")
    shares = total(origin.share for origin in origin_mix)
    if shares != 1:
        raise InvalidEstimate(f"The shares of the origin mix add up to {plain(shares)}, not 1.", total=str(shares))


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    try:
        with localcontext(EXACT):
            return tidy(numerator / denominator)
    except Inexact:
        raise InvalidEstimate(
            f"{plain(numerator)} ÷ {plain(denominator)} has no exact decimal result; adjust "
            "participants_per_room in the factor dataset."
        ) from None


def estimate_activity_lines(
    headcount: int,
    days: int,
    origin_mix: Sequence[OriginShare],
    library: FactorLibrary,
    *,
    phase: Phase = Phase.HOLDING,
) -> tuple[ActivityLine, ...]:
    """Estimated travel (round trips), hotel room-nights for overnight travellers, and meals."""
    _check_inputs(headcount, days, origin_mix, library)
    defaults = library.estimates
    people = Decimal(headcount)
    lines: list[ActivityLine] = []
    for origin in origin_mix:
        mode = defaults.modes[origin.mode]
        if mode.factor is None or origin.share == 0:
            continue
        pkm = product(people, origin.share, _ROUND_TRIP, origin.one_way_km)
        lines.append(
            ActivityLine(
                category=Category.TRAVEL,
                quantity=pkm,
                unit="pkm",
                factor_id=mode.factor,
                data_quality=DataQuality.ESTIMATED,
                phase=phase,
                label=f"Estimate: {mode.label.en} round trips, {headcount} participants × "
                f"{plain(origin.share)} × 2 × {plain(origin.one_way_km)} km",
            )
        )
    overnight_share = total(
        origin.share
        for origin in origin_mix
        if (defaults.modes[origin.mode].overnight if origin.overnight is None else origin.overnight)
    )
    if overnight_share > 0:
        nights = product(Decimal(days), defaults.room_nights_per_event_day)
        room_nights = _divide(product(people, overnight_share, nights), defaults.participants_per_room)
        lines.append(
            ActivityLine(
                category=Category.ACCOMMODATION,
                quantity=room_nights,
                unit="room-night",
                factor_id=defaults.hotel_factor,
                data_quality=DataQuality.ESTIMATED,
                phase=phase,
                label=f"Estimate: hotel, {headcount} participants × {plain(overnight_share)} staying overnight "
                f"× {plain(nights)} nights ÷ {plain(defaults.participants_per_room)} per room",
            )
        )
    meals = product(people, Decimal(days), defaults.meals_per_participant_day)
    lines.append(
        ActivityLine(
            category=Category.CATERING,
            quantity=meals,
            unit="meal",
            factor_id=defaults.meal_factor,
            data_quality=DataQuality.ESTIMATED,
            phase=phase,
            label=f"Estimate: meals, {headcount} participants × {days} days × "
            f"{plain(defaults.meals_per_participant_day)} meals a day",
        )
    )
    return tuple(lines)
