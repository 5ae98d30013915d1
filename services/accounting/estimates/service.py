"""A stateless estimate: lines as given plus lines derived from a headcount, calculated with traces."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.accounting.estimates.schemas import EstimateIn, ParticipantEstimateIn
from services.accounting.factors.library import FactorLibrary, default_library
from services.accounting.inventories.documents import render
from services.accounting.inventory.calculation import calculate_inventory
from services.accounting.inventory.estimates import OriginShare, estimate_activity_lines
from services.accounting.inventory.lines import ActivityLine


def participant_lines(estimate: ParticipantEstimateIn, library: FactorLibrary) -> tuple[ActivityLine, ...]:
    """Estimated travel, hotel and meal lines for a headcount and origin mix."""
    mix = [
        OriginShare(mode=o.mode, share=o.share, one_way_km=o.one_way_km, overnight=o.overnight)
        for o in estimate.origin_mix
    ]
    return estimate_activity_lines(estimate.headcount, estimate.days, mix, library, phase=estimate.phase)


def estimate(body: EstimateIn) -> dict[str, Any]:
    """The estimate document: totals, factors, lines with traces, and the assumptions used."""
    library = default_library()
    lines: Sequence[ActivityLine] = list(body.lines)
    if body.participants is not None:
        lines = [*lines, *participant_lines(body.participants, library)]
    rendered = render(calculate_inventory(lines, library), library)
    assumptions = library.estimates.note if body.participants is not None else None
    return {**rendered.document(), "assumptions": assumptions}
