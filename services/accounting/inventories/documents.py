"""Calculation results as JSON documents: exact decimals as plain strings, factors listed once.

Each line's trace names its factor's id, value and unit and shows the arithmetic; the factor's
source, gas basis, verification and flag are listed once under `factors` (keyed by that id), so a
20,000-line inventory does not repeat the same citation 20,000 times. Custom factors and green
certificates, which have no id, carry their source in the trace itself.

Inventories are rendered once, stored as JSON text and served as stored. The lines are written as
JSON text directly: building a dict per line and per trace and serializing them took longer than the
calculation itself. An inventory that is written (PUT, amendment) is calculated and written in one
pass by `writing.py`, which leaves to this module's LineWriter only the lines out of the common case.
What lines share (a factor's id, value and unit; a category, unit, quality and phase) is written once
per inventory and reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from services.accounting.clock import aware
from services.accounting.events.models import Event
from services.accounting.factors.library import FactorLibrary
from services.accounting.inventories.models import InventoryVersion
from services.accounting.inventory.display import numeral
from services.accounting.inventory.lines import (
    ActivityLine,
    Basis,
    InventoryResult,
    LineResult,
    LineTrace,
    Totals,
    TraceFactor,
)
from services.accounting.inventory.vocabulary import Category
from services.accounting.jsontext import loads, splice

ELECTRICITY = Category.PURCHASED_ELECTRICITY

# A JSON string literal of any text, quotes included; non-ASCII is written as UTF-8, as `dumps` does.
json_string = encode_basestring
# A decimal as a plain numeral, its digits as they are (`1.50`, `0.0000001`).
_d = numeral


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
    """A calculation as a summary document and its lines as one JSON array (text)."""

    summary: dict[str, Any]
    lines_text: str

    def lines_json(self) -> bytes:
        """The lines as one JSON array."""
        return self.lines_text.encode()

    @property
    def lines(self) -> list[dict[str, Any]]:
        """The lines as dicts."""
        return list(loads(self.lines_text))

    def document(self) -> dict[str, Any]:
        """Summary and lines in one document."""
        return {**self.summary, "lines": self.lines}


@dataclass(frozen=True, slots=True)
class _TraceParts:
    """A trace's JSON text around its per-line figures, for one factor at one conversion ratio."""

    head: str
    middle: str
    tail: str


def trace_parts(factor: TraceFactor, ratio: Decimal | None, activity_unit: str) -> _TraceParts:
    """The text every trace of `factor` at conversion `ratio` shares."""
    return _TraceParts(
        head=f'{{"factor_id":{"null" if factor.id is None else json_string(factor.id)},'
        f'"factor_value":"{_d(factor.value)}","factor_unit":{json_string(factor.unit)},'
        f'"conversion_ratio":{"null" if ratio is None else json_string(_d(ratio))},"converted_quantity":"',
        middle=f'","activity_unit":{json_string(activity_unit)},"emissions_kgco2e":"',
        # A library factor's source is listed once under `factors`; others travel with the line.
        tail="}" if factor.id is not None else f',"source":{json_string(factor.source)}}}',
    )


@dataclass(frozen=True, slots=True)
class LineParts:
    """A line's JSON text around its own values (quantity, evidence, label, emissions, traces), for one
    combination of the fields lines share."""

    # "category":"…","quantity":"
    category: str
    # ","unit":…,"evidence_sha256":
    unit: str
    # ,"data_quality":…,"label":
    quality: str
    # ,"scope":…,"kgco2e":"
    scope: str


def _line_parts(line: ActivityLine, scope: int) -> LineParts:
    custom = line.custom_factor
    custom_text = (
        "null"
        if custom is None
        else f'{{"value":"{_d(custom.value)}","unit":{json_string(custom.unit)},"source":{json_string(custom.source)}}}'
    )
    certificates = ",".join(json_string(ref) for ref in line.green_certificates)
    return LineParts(
        category=f'"category":"{line.category.value}","quantity":"',
        unit=f'","unit":{json_string(line.unit)},'
        f'"factor_id":{"null" if line.factor_id is None else json_string(line.factor_id)},'
        f'"custom_factor":{custom_text},"evidence_sha256":',
        quality=f',"data_quality":"{line.data_quality.value}","phase":"{line.phase.value}",'
        f'"green":{"true" if line.green else "false"},"green_certificates":[{certificates}],"label":',
        scope=f',"scope":{scope},"kgco2e":"',
    )


class LineWriter:
    """Writes calculated lines as JSON text and notes the library factors they used, in order of use."""

    def __init__(self, market_based: bool) -> None:
        # Which basis each line's `kgco2e` is on: market-based as soon as any line claims green power.
        self.market_based = market_based
        self.factors: dict[str, TraceFactor] = {}
        # Keyed by object identity: every trace of a library factor shares one TraceFactor and one
        # ratio object, which the calculation keeps until the inventory is written. A custom factor's
        # or a green claim's TraceFactor is the line's own and may be freed once the line is written,
        # so its identity could be another's later: its text is never kept.
        self._traces: dict[tuple[int, int], _TraceParts] = {}
        self._lines: dict[tuple[Any, ...], LineParts] = {}

    def used(self, factor: TraceFactor) -> None:
        """Note a factor a trace applied (library factors are listed once, in order of first use)."""
        if factor.id is not None:
            self.factors.setdefault(factor.id, factor)

    def _trace_parts(self, trace: LineTrace) -> _TraceParts:
        factor = trace.factor
        parts = trace_parts(factor, trace.conversion_ratio, trace.activity_unit)
        if factor.id is not None:
            self.used(factor)
            self._traces[(id(factor), id(trace.conversion_ratio))] = parts
        return parts

    def trace(self, trace: LineTrace) -> str:
        """One trace as a JSON object."""
        parts = self._traces.get((id(trace.factor), id(trace.conversion_ratio))) or self._trace_parts(trace)
        return (
            f"{parts.head}{_d(trace.converted_quantity)}{parts.middle}{_d(trace.emissions_kgco2e)}"
            f'","arithmetic":{json_string(trace.arithmetic)}{parts.tail}'
        )

    def line_parts(self, line: ActivityLine, scope: int) -> LineParts:
        """The text of `line` around its own values."""
        if line.custom_factor is not None or line.green_certificates:
            # A custom factor or certificates make a line's text its own.
            return _line_parts(line, scope)
        # Lines that share their category, unit, factor, quality and phase share their text.
        key = (line.category, line.unit, line.factor_id, line.data_quality, line.phase, line.green)
        parts = self._lines.get(key)
        if parts is None:
            parts = self._lines[key] = _line_parts(line, scope)
        return parts

    def line(self, result: LineResult) -> str:
        """One calculated line as a JSON object."""
        line = result.line
        parts = self.line_parts(line, result.scope)
        location = _d(result.location_based_kgco2e)
        market_trace = result.market_based_trace
        market = location if market_trace is None else _d(result.market_based_kgco2e)
        return (
            f'{{"index":{result.index},{parts.category}{_d(line.quantity)}{parts.unit}{evidence(line)}'
            f"{parts.quality}{label(line)}{parts.scope}"
            f'{market if self.market_based else location}","location_based_kgco2e":"{location}",'
            f'"market_based_kgco2e":"{market}","trace":{self.trace(result.trace)},'
            f'"market_based_trace":{"null" if market_trace is None else self.trace(market_trace)}}}'
        )


def evidence(line: ActivityLine) -> str:
    """The line's evidence hash as JSON."""
    return "null" if line.evidence_sha256 is None else json_string(line.evidence_sha256)


def label(line: ActivityLine) -> str:
    """The line's label as JSON."""
    return json_string(line.label) if line.label else '""'


def _factors_used(factors: dict[str, TraceFactor], library: FactorLibrary) -> dict[str, Any]:
    return {
        factor_id: {
            "name": library.get(factor_id).name.model_dump(),
            "value": _d(factor.value),
            "unit": factor.unit,
            "gas_basis": factor.gas_basis,
            "source": factor.source,
            "verified": factor.verified,
            "flag": factor.flag,
        }
        for factor_id, factor in factors.items()
    }


def summary_document(
    library: FactorLibrary, basis: Basis, location: Totals, market: Totals, factors: dict[str, TraceFactor]
) -> dict[str, Any]:
    """Totals on both bases, electricity and the library factors used, as a document."""
    accounted = market if basis == "market_based" else location
    return {
        "factor_dataset": library.dataset,
        "factor_dataset_version": library.version,
        "accounted_basis": basis,
        "total_kgco2e": _d(accounted.total_kgco2e),
        "totals": figures(accounted),
        "location_based": figures(location),
        "market_based": figures(market),
        "electricity": {
            "location_based_kgco2e": _d(location.by_category[ELECTRICITY]),
            "market_based_kgco2e": _d(market.by_category[ELECTRICITY]),
            "note": library.electricity.note,
        },
        "factors": _factors_used(factors, library),
    }


def render(result: InventoryResult, library: FactorLibrary) -> Rendered:
    """The calculation as a summary (totals on both bases, electricity, factors) and its lines."""
    writer = LineWriter(result.accounted_basis == "market_based")
    lines_text = f"[{','.join([writer.line(line) for line in result.lines])}]"
    return Rendered(
        summary=summary_document(
            library, result.accounted_basis, result.location_based, result.market_based, writer.factors
        ),
        lines_text=lines_text,
    )


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
