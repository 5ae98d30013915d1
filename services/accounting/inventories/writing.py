"""An inventory calculated and written as JSON in one pass over its lines.

`render(calculate_inventory(lines))` builds a trace and a result object per line and then walks them
again to write them; for 10,000 lines the objects, and reading them back, cost about as much as the
arithmetic. Here a line with a library factor and no green power claim, nearly every line of a real
inventory, goes from its quantity to its JSON text directly: what all lines of one factor, unit,
category, quality and phase share (the conversion, the text around the figures, the arithmetic's
fixed part, already escaped) is prepared once per inventory. Every other line, and any line the
direct way cannot finish, is calculated and written by the general path, which also raises the error
that names it. The document is the same, byte for byte, as `render(calculate_inventory(lines))`
writes; tests compare the two on generated inventories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, Inexact, InvalidOperation, Overflow, localcontext

from services.accounting.errors import AccountingError, InvalidQuantity
from services.accounting.factors.library import FactorLibrary
from services.accounting.inventories.documents import (
    LineParts,
    LineWriter,
    Rendered,
    json_string,
    summary_document,
    trace_parts,
)
from services.accounting.inventory.calculation import Calculator, Step, fold, refuse_reused_certificates
from services.accounting.inventory.display import numeral
from services.accounting.inventory.lines import ActivityLine, Basis
from services.accounting.inventory.units import EXACT, convert, tidy
from services.accounting.inventory.vocabulary import SCOPE_OF, Category, DataQuality, Phase

ELECTRICITY = Category.PURCHASED_ELECTRICITY
_ZERO = Decimal(0)
_EMPTY = json_string("")

Cell = tuple[Category, Phase]
# Factor, source type, unit, data quality and phase.
_PlanKey = tuple[str, Category, str, DataQuality, Phase]


@dataclass(frozen=True, slots=True)
class _TraceText:
    """Traces through one step as JSON text around their figures (converted quantity, emissions, arithmetic)."""

    step: Step
    # {"factor_id":…,"converted_quantity":"
    head: str
    # ","activity_unit":…,"emissions_kgco2e":"
    middle: str
    # The arithmetic between the quantity and the emissions (" MWh × 1000 kWh/MWh × … = "), escaped.
    operands: str
    # The arithmetic's end (" kgCO2") and the trace's, escaped.
    tail: str


def _trace_text(step: Step, unit: str) -> _TraceText:
    parts = trace_parts(step.factor.public, step.ratio, step.activity)
    # The arithmetic's numbers are digits, commas and a point, which JSON writes as they are; the
    # text around them is escaped here once, as json_string escapes it within the whole arithmetic.
    return _TraceText(
        step=step,
        head=parts.head,
        middle=parts.middle,
        operands=json_string(f" {unit}{step.middle} = ")[1:-1],
        tail=json_string(f" kg{step.gas}")[1:-1] + '"' + parts.tail,
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    """How the lines of one factor, category, unit, quality and phase are calculated and written."""

    location: _TraceText
    # Electricity's trace on the market basis, at the residual-style factor; None for other source types.
    market: _TraceText | None
    line: LineParts
    # The cells of the totals these lines add to, on each basis (the same list but for electricity).
    location_cell: list[Decimal]
    market_cell: list[Decimal]


class _InventoryWriter:
    """Calculates and writes one inventory's lines; EXACT is the current decimal context."""

    def __init__(self, library: FactorLibrary, market_based: bool) -> None:
        self.calculator = Calculator(library)
        self.writer = LineWriter(market_based)
        self.market_based = market_based
        self._traces: dict[tuple[str, Category, str], tuple[_TraceText, _TraceText | None]] = {}
        self._plans: dict[_PlanKey, _Plan] = {}
        # Each cell's figures in the order of the lines, added up once all lines are written (as the
        # general path does: a sum too large to be exact is refused after any error in a line).
        self.location: dict[Cell, list[Decimal]] = {}
        self.market: dict[Cell, list[Decimal]] = {}

    def _cells(self, cell: Cell) -> tuple[list[Decimal], list[Decimal]]:
        location = self.location.setdefault(cell, [])
        # Outside electricity a line's market-based figure is its location-based one.
        market = self.market.setdefault(cell, [] if cell[0] == ELECTRICITY else location)
        return location, market

    def _trace_texts(self, line: ActivityLine, factor_id: str) -> tuple[_TraceText, _TraceText | None]:
        key = (factor_id, line.category, line.unit)
        texts = self._traces.get(key)
        if texts is None:
            step = self.calculator.library_step(line)
            market = None
            if line.category == ELECTRICITY:
                market = _trace_text(self.calculator.residual_step(line.unit), line.unit)
            # Listed in order of first use, as the general path lists them: the line's factor, then
            # the residual one.
            self.writer.used(step.factor.public)
            if market is not None:
                self.writer.used(market.step.factor.public)
            texts = self._traces[key] = (_trace_text(step, line.unit), market)
        return texts

    def _plan(self, line: ActivityLine, key: _PlanKey) -> _Plan:
        location, market = self._trace_texts(line, key[0])
        plan = self._plans[key] = _Plan(
            location,
            market,
            self.writer.line_parts(line, SCOPE_OF[line.category]),
            *self._cells((line.category, line.phase)),
        )
        return plan

    def line(self, line: ActivityLine, index: int) -> str:
        """One line as JSON text."""
        factor_id = line.factor_id
        quantity = line.quantity
        if (
            factor_id is None
            or line.custom_factor is not None
            or line.green
            or line.green_certificates
            or not (quantity.is_finite() and quantity >= 0)
        ):
            return self._general(line, index)
        try:
            key = (factor_id, line.category, line.unit, line.data_quality, line.phase)
            plan = self._plans.get(key) or self._plan(line, key)
            # The quantity as sent (its digits as they are) and tidied for the arithmetic; most are tidy as sent.
            sent = str(quantity)
            if "E" in sent or sent[0] == "-" or (sent[-1] == "0" and "." in sent):
                tidied = tidy(quantity)
                if "E" in sent:
                    sent = format(quantity, "f")
            else:
                tidied = quantity
            grouped = f"{tidied:,f}"
            trace = plan.location
            emissions, converted = _figures(trace.step, line, tidied)
            location = numeral(emissions)
            location_trace = (
                f"{trace.head}{converted}{trace.middle}{location}"
                f'","arithmetic":"{grouped}{trace.operands}{emissions:,f}{trace.tail}'
            )
            residual = plan.market
            if residual is None:
                market_emissions, market, market_trace = emissions, location, "null"
            else:
                market_emissions, converted = _figures(residual.step, line, tidied)
                market = numeral(market_emissions)
                market_trace = (
                    f"{residual.head}{converted}{residual.middle}{market}"
                    f'","arithmetic":"{grouped}{residual.operands}{market_emissions:,f}{residual.tail}'
                )
        except (AccountingError, Inexact, InvalidOperation, Overflow):
            # The general path calculates the line again and raises the error that names it.
            return self._general(line, index)
        plan.location_cell.append(emissions)
        if residual is not None:
            plan.market_cell.append(market_emissions)
        parts = plan.line
        evidence = line.evidence_sha256
        label = line.label
        return (
            f'{{"index":{index},{parts.category}{sent}{parts.unit}'
            f"{'null' if evidence is None else json_string(evidence)}{parts.quality}"
            f"{json_string(label) if label else _EMPTY}{parts.scope}{market if self.market_based else location}"
            f'","location_based_kgco2e":"{location}","market_based_kgco2e":"{market}",'
            f'"trace":{location_trace},"market_based_trace":{market_trace}}}'
        )

    def _general(self, line: ActivityLine, index: int) -> str:
        result = self.calculator.line(line, index)
        location, market = self._cells((line.category, line.phase))
        location.append(result.location_based_kgco2e)
        if market is not location:
            market.append(result.market_based_kgco2e)
        return self.writer.line(result)


def _figures(step: Step, line: ActivityLine, tidied: Decimal) -> tuple[Decimal, str]:
    """A line's emissions through `step` (as in calculation._apply), and its converted quantity as text."""
    if step.same_unit:
        converted = tidied
    elif step.ratio is None:
        converted = convert(line.quantity, line.unit, step.activity)
    else:
        converted = tidy(tidied * step.ratio)
    return tidy(converted * step.kg_per_activity_unit), numeral(converted)


def _sums(cells: dict[Cell, list[Decimal]]) -> dict[Cell, Decimal]:
    # Added in the order of the lines from zero, as calculation._both_totals adds them.
    try:
        return {cell: sum(figures, _ZERO) for cell, figures in cells.items()}
    except (Inexact, InvalidOperation, Overflow):
        raise InvalidQuantity("The sum has too many digits to be represented exactly.") from None


def calculate_and_render(lines: Sequence[ActivityLine], library: FactorLibrary) -> Rendered:
    """The inventory's summary and lines, as `render(calculate_inventory(lines, library), library)` writes them."""
    # The accounted basis, which every line's `kgco2e` follows, is market-based as soon as one line
    # claims green power (see calculate_inventory).
    basis: Basis = "market_based" if any(line.green for line in lines) else "location_based"
    inventory = _InventoryWriter(library, basis == "market_based")
    with localcontext(EXACT):
        written = [inventory.line(line, index) for index, line in enumerate(lines)]
        refuse_reused_certificates(lines)
        location, market = fold(_sums(inventory.location)), fold(_sums(inventory.market))
    if written:
        # The brackets join the first and last lines, so that megabytes of text are copied once, not twice.
        written[0] = f"[{written[0]}"
        written[-1] = f"{written[-1]}]"
    return Rendered(
        summary=summary_document(library, basis, location, market, inventory.writer.factors),
        lines_text=",".join(written) if written else "[]",
    )
