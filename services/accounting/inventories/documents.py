"""Calculation results as JSON documents: exact decimals as plain strings, factors listed once.

Each line's trace names its factor's id, value and unit and shows the arithmetic; the factor's
source, gas basis, verification and flag are listed once under `factors` (keyed by that id), so a
20,000-line inventory does not repeat the same citation 20,000 times. Custom factors and green
certificates, which have no id, carry their source in the trace itself.

Inventories are rendered here once, stored as JSON text and served as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.accounting.clock import aware
from services.accounting.events.models import Event
from services.accounting.factors.library import FactorLibrary
from services.accounting.inventories.models import InventoryVersion
from services.accounting.inventory.lines import InventoryResult, LineResult, LineTrace, Totals, TraceFactor
from services.accounting.inventory.vocabulary import Category
from services.accounting.jsontext import dumps, splice

ELECTRICITY = Category.PURCHASED_ELECTRICITY


def _d(value: Decimal) -> str:
    return format(value, "f")


def figures(totals: Totals) -> dict[str, Any]:
    """A Totals record as strings, scopes keyed "1", "2", "3"."""
    return {
        "total_kgco2e": _d(totals.total_kgco2e),
        "by_source_type": {category.value: _d(value) for category, value in totals.by_category.items()},
        "by_scope": {str(scope): _d(value) for scope, value in totals.by_scope.items()},
        "by_phase": {phase.value: _d(value) for phase, value in totals.by_phase.items()},
    }


@dataclass(frozen=True)
class Rendered:
    """A calculation as a summary document and its lines (dicts ready for JSON)."""

    summary: dict[str, Any]
    lines: list[dict[str, Any]]

    def lines_json(self) -> bytes:
        """The lines as one JSON array."""
        return dumps(self.lines)

    def document(self) -> dict[str, Any]:
        """Summary and lines in one document."""
        return {**self.summary, "lines": self.lines}


class _Renderer:
    def __init__(self, result: InventoryResult) -> None:
        self.market_based = result.accounted_basis == "market_based"
        self._values: dict[int, str] = {}

    def _value(self, factor: TraceFactor) -> str:
        # Factors are shared by every line that used them: format each value once.
        text = self._values.get(id(factor))
        if text is None:
            text = self._values[id(factor)] = _d(factor.value)
        return text

    def trace(self, trace: LineTrace) -> dict[str, Any]:
        factor = trace.factor
        ratio = trace.conversion_ratio
        rendered = {
            "factor_id": factor.id,
            "factor_value": self._value(factor),
            "factor_unit": factor.unit,
            "conversion_ratio": None if ratio is None else _d(ratio),
            "converted_quantity": _d(trace.converted_quantity),
            "activity_unit": trace.activity_unit,
            "emissions_kgco2e": _d(trace.emissions_kgco2e),
            "arithmetic": trace.arithmetic,
        }
        if factor.id is None:
            # A library factor's source is listed once under `factors`; others travel with the line.
            rendered["source"] = factor.source
        return rendered

    def line(self, result: LineResult) -> dict[str, Any]:
        line = result.line
        location = _d(result.location_based_kgco2e)
        market = location if result.market_based_trace is None else _d(result.market_based_kgco2e)
        custom = line.custom_factor
        return {
            "index": result.index,
            "category": line.category.value,
            "quantity": _d(line.quantity),
            "unit": line.unit,
            "factor_id": line.factor_id,
            "custom_factor": None
            if custom is None
            else {"value": _d(custom.value), "unit": custom.unit, "source": custom.source},
            "evidence_sha256": line.evidence_sha256,
            "data_quality": line.data_quality.value,
            "phase": line.phase.value,
            "green": line.green,
            "green_certificates": list(line.green_certificates),
            "label": line.label,
            "scope": result.scope,
            "kgco2e": market if self.market_based else location,
            "location_based_kgco2e": location,
            "market_based_kgco2e": market,
            "trace": self.trace(result.trace),
            "market_based_trace": None if result.market_based_trace is None else self.trace(result.market_based_trace),
        }


def _factors_used(result: InventoryResult, library: FactorLibrary) -> dict[str, Any]:
    used: dict[str, Any] = {}
    for line in result.lines:
        for trace in (line.trace, line.market_based_trace):
            factor = None if trace is None else trace.factor
            if factor is None or factor.id is None or factor.id in used:
                continue
            entry = library.get(factor.id)
            used[factor.id] = {
                "name": entry.name.model_dump(),
                "value": _d(factor.value),
                "unit": factor.unit,
                "gas_basis": factor.gas_basis,
                "source": factor.source,
                "verified": factor.verified,
                "flag": factor.flag,
            }
    return used


def render(result: InventoryResult, library: FactorLibrary) -> Rendered:
    """The calculation as a summary (totals on both bases, electricity, factors) and its lines."""
    renderer = _Renderer(result)
    location = result.location_based.by_category[ELECTRICITY]
    market = result.market_based.by_category[ELECTRICITY]
    summary = {
        "factor_dataset": result.factor_dataset,
        "factor_dataset_version": result.factor_dataset_version,
        "accounted_basis": result.accounted_basis,
        "total_kgco2e": _d(result.total_kgco2e),
        "totals": figures(result.accounted),
        "location_based": figures(result.location_based),
        "market_based": figures(result.market_based),
        "electricity": {
            "location_based_kgco2e": _d(location),
            "market_based_kgco2e": _d(market),
            "note": result.electricity_note,
        },
        "factors": _factors_used(result, library),
    }
    return Rendered(summary=summary, lines=[renderer.line(line) for line in result.lines])


def version_document(event: Event, row: InventoryVersion, summary: dict[str, Any], lines: bytes | None) -> bytes:
    """An inventory version as JSON: its state, its summary, and its stored lines (null when left out)."""
    head = {
        "event_id": row.event_id,
        "version": row.version,
        "status": row.status,
        "accounted": event.accounted_version == row.version,
        "amends": row.amends,
        "actual_participants": row.actual_participants,
        "line_count": row.line_count,
        "created_at": aware(row.created_at).isoformat(),
        "updated_at": aware(row.updated_at).isoformat(),
        "submitted_at": None if row.submitted_at is None else aware(row.submitted_at).isoformat(),
        **summary,
    }
    # The lines are stored as JSON text and go out as stored, without being parsed again.
    return splice(head, "lines", lines if lines is not None else b"null")
