"""Emissions of activity lines (activity data × emission factor), with a trace per line, and totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, Inexact, InvalidOperation, Overflow, localcontext

from services.accounting.errors import (
    AccountingError,
    GreenCertificateRequired,
    InvalidActivityLine,
    InvalidQuantity,
)
from services.accounting.factors.entries import EmissionFactor
from services.accounting.factors.library import FactorLibrary
from services.accounting.inventory.display import plain
from services.accounting.inventory.lines import (
    ActivityLine,
    Basis,
    CustomFactor,
    InventoryResult,
    LineResult,
    LineTrace,
    Totals,
    TraceFactor,
)
from services.accounting.inventory.references import certificate_key
from services.accounting.inventory.units import (
    EXACT,
    FactorUnit,
    conversion_ratio,
    convert,
    parse_factor_unit,
    product,
    require_finite_non_negative,
    tidy,
    total,
)
from services.accounting.inventory.vocabulary import SCOPE_OF, Category, Phase, Scope

ELECTRICITY = Category.PURCHASED_ELECTRICITY
SCOPES: tuple[Scope, ...] = (1, 2, 3)


@dataclass(frozen=True)
class _Factor:
    """A library or custom factor: its parsed unit for the arithmetic, its public form for traces."""

    unit: FactorUnit
    public: TraceFactor


def _from_library(factor: EmissionFactor) -> _Factor:
    unit = factor.factor_unit
    return _Factor(
        unit=unit,
        public=TraceFactor(
            id=factor.id,
            value=factor.value,
            unit=unit.symbol,
            gas_basis=unit.gas,
            source=factor.citation(),
            verified=factor.verified,
            flag=factor.flag,
        ),
    )


def _from_custom(custom: CustomFactor) -> _Factor:
    require_finite_non_negative(custom.value, "The custom factor value")
    if not custom.source.strip():
        raise InvalidActivityLine("A custom factor needs its source.")
    unit = parse_factor_unit(custom.unit)
    return _Factor(
        unit=unit,
        public=TraceFactor(
            id=None,
            value=custom.value,
            unit=unit.symbol,
            gas_basis=unit.gas,
            source=custom.source.strip(),
            verified=False,
            flag="Custom factor supplied with the activity line.",
        ),
    )


def _factor_for(line: ActivityLine, library: FactorLibrary) -> _Factor:
    if line.custom_factor is not None and line.factor_id is None:
        return _from_custom(line.custom_factor)
    if line.factor_id is None or line.custom_factor is not None:
        raise InvalidActivityLine("Give exactly one of factor_id and custom_factor.")
    factor = library.get(line.factor_id)
    if not factor.applies_to(line.category):
        raise InvalidActivityLine(
            f"Factor {factor.id} is a {factor.category} factor and cannot be used for {line.category}.",
            factor_id=factor.id,
        )
    return _from_library(factor)


def _check_line(line: ActivityLine) -> None:
    quantity = line.quantity
    if not (quantity.is_finite() and quantity >= 0):
        require_finite_non_negative(quantity, "The quantity")
    if line.green or line.green_certificates:
        _check_green(line)


def _check_green(line: ActivityLine) -> None:
    if line.green and line.category != ELECTRICITY:
        raise InvalidActivityLine(f"Only purchased electricity can be green, not {line.category}.")
    if line.green_certificates and not line.green:
        raise InvalidActivityLine("Certificate references are given but the line is not flagged green.")
    if line.green and not [ref for ref in line.green_certificates if ref.strip()]:
        raise GreenCertificateRequired(
            "Green electricity counts as zero only with the references of its green electricity "
            "certificates (or green power trading records); add them or unflag the line."
        )
    if line.green_certificates and any(not ref.strip() for ref in line.green_certificates):
        raise InvalidActivityLine("A certificate reference is blank.")


@dataclass(frozen=True)
class Step:
    """How quantities in one unit meet one factor: the conversion and the fixed part of the arithmetic."""

    factor: _Factor
    activity: str
    ratio: Decimal | None
    same_unit: bool
    kg_per_activity_unit: Decimal
    middle: str
    gas: str


def _step(unit_symbol: str, factor: _Factor) -> Step:
    activity = factor.unit.activity
    ratio = conversion_ratio(unit_symbol, activity)
    kg_per = factor.unit.kg_per_mass_unit
    gas = factor.unit.gas
    value = factor.public.value
    middle = ""
    if ratio is not None and ratio != 1:
        middle += f" × {plain(ratio, grouping=False)} {activity}/{unit_symbol}"
    elif ratio is None:
        # One MJ is 1/3.6 kWh: show the exact inverse as a division rather than a rounded ratio.
        inverse = conversion_ratio(activity, unit_symbol)
        middle += f" ÷ {plain(inverse, grouping=False)} {unit_symbol}/{activity}" if inverse else ""
    middle += f" × {plain(value, grouping=False)} {factor.unit.symbol}"
    if kg_per != 1:
        middle += f" × {plain(kg_per, grouping=False)} kg{gas}/{factor.unit.mass}{gas}"
    return Step(
        factor=factor,
        activity=activity,
        ratio=ratio,
        same_unit=ratio == 1,
        kg_per_activity_unit=product(value, kg_per),
        middle=middle,
        gas=gas,
    )


def _apply(line: ActivityLine, quantity: Decimal, step: Step) -> LineTrace:
    """The trace of `line` (its quantity tidied) through `step`; EXACT is the current context."""
    ratio = step.ratio
    try:
        if step.same_unit:
            converted = quantity
        elif ratio is None:
            converted = convert(line.quantity, line.unit, step.activity)
        else:
            converted = tidy(quantity * ratio)
        # Exact arithmetic: (quantity × ratio) × (value × kg per mass unit) is the same number in any grouping.
        emissions = tidy(converted * step.kg_per_activity_unit)
    except (Inexact, InvalidOperation, Overflow):
        raise InvalidQuantity("The product has too many digits to be represented exactly.") from None
    arithmetic = f"{quantity:,f} {line.unit}{step.middle} = {emissions:,f} kg{step.gas}"
    # Positional arguments: tens of thousands of traces, and keywords cost more than the arithmetic.
    return LineTrace(
        step.factor.public, line.quantity, line.unit, ratio, converted, step.activity, emissions, arithmetic
    )


def _green_trace(line: ActivityLine) -> LineTrace:
    refs = ", ".join(ref.strip() for ref in line.green_certificates)
    return LineTrace(
        factor=TraceFactor(
            id=None,
            value=Decimal(0),
            unit=f"kgCO2/{line.unit}",
            gas_basis="CO2",
            source=f"green electricity certificates: {refs}",
            verified=True,
            flag=None,
        ),
        quantity=line.quantity,
        unit=line.unit,
        conversion_ratio=Decimal(1),
        converted_quantity=line.quantity,
        activity_unit=line.unit,
        emissions_kgco2e=Decimal(0),
        arithmetic=f"{plain(line.quantity)} {line.unit} green electricity (certificates {refs}) "
        f"× 0 kgCO2/{line.unit} = 0 kgCO2",
    )


class Calculator:
    """Calculates the lines of one inventory, looking each factor and each unit-to-factor step up once.

    Its methods run with EXACT as the current decimal context (see `calculate_inventory`).
    """

    def __init__(self, library: FactorLibrary) -> None:
        self.library = library
        self._factors: dict[tuple[str, Category], _Factor] = {}
        self._steps: dict[tuple[str, Category, str], Step] = {}
        self._residual_steps: dict[str, Step] = {}

    def _library_factor(self, line: ActivityLine) -> _Factor:
        key = (line.factor_id or "", line.category)
        found = self._factors.get(key)
        if found is None:
            found = self._factors[key] = _factor_for(line, self.library)
        return found

    def library_step(self, line: ActivityLine) -> Step:
        """The step of `line` (a library factor's line) through its factor, prepared once per factor, type and unit."""
        key = (line.factor_id or "", line.category, line.unit)
        step = self._steps.get(key)
        if step is None:
            step = self._steps[key] = _step(line.unit, self._library_factor(line))
        return step

    def _residual(self) -> _Factor:
        factor_id = self.library.electricity.market_based_residual
        key = (factor_id, ELECTRICITY)
        found = self._factors.get(key)
        if found is None:
            found = self._factors[key] = _from_library(self.library.get(factor_id))
        return found

    def residual_step(self, unit_symbol: str) -> Step:
        """The step of electricity in `unit_symbol` through the market-based residual factor."""
        step = self._residual_steps.get(unit_symbol)
        if step is None:
            step = self._residual_steps[unit_symbol] = _step(unit_symbol, self._residual())
        return step

    def line(self, line: ActivityLine, index: int) -> LineResult:
        """One line's result; an error names the line."""
        try:
            _check_line(line)
            if line.custom_factor is None and line.factor_id is not None:
                step = self._steps.get((line.factor_id, line.category, line.unit)) or self.library_step(line)
            else:
                step = _step(line.unit, _factor_for(line, self.library))
            quantity = tidy(line.quantity)
            trace = _apply(line, quantity, step)
            market_trace: LineTrace | None = None
            if line.category == ELECTRICITY:
                market_trace = (
                    _green_trace(line) if line.green else _apply(line, quantity, self.residual_step(line.unit))
                )
        except AccountingError as exc:
            # Name the line, so an error in a long inventory points at the row to fix.
            exc.detail = f"Line {index}: {exc.detail}"
            exc.args = (exc.detail,)
            exc.extensions["line"] = index
            raise
        # Positional arguments, as for traces: index, line, scope, both bases, both traces.
        return LineResult(
            index,
            line,
            SCOPE_OF[line.category],
            trace.emissions_kgco2e,
            (market_trace or trace).emissions_kgco2e,
            trace,
            market_trace,
        )


def calculate_line(line: ActivityLine, library: FactorLibrary, index: int = 0) -> LineResult:
    """Emissions of one activity line in kgCO2e, location-based and market-based, with traces."""
    with localcontext(EXACT):
        return Calculator(library).line(line, index)


def _both_totals(results: Sequence[LineResult]) -> tuple[Totals, Totals]:
    # Sum each basis once per (source type, phase) cell, then fold the cells into the totals: a large
    # inventory is read once, not once per bucket.
    # EXACT is the current context: `+` is exact or raises.
    location: dict[tuple[Category, Phase], Decimal] = {}
    market: dict[tuple[Category, Phase], Decimal] = {}
    zero = Decimal(0)
    try:
        for result in results:
            line = result.line
            cell = (line.category, line.phase)
            location[cell] = location.get(cell, zero) + result.location_based_kgco2e
            market[cell] = market.get(cell, zero) + result.market_based_kgco2e
    except (Inexact, InvalidOperation, Overflow):
        raise InvalidQuantity("The sum has too many digits to be represented exactly.") from None
    return fold(location), fold(market)


def fold(cells: dict[tuple[Category, Phase], Decimal]) -> Totals:
    """Totals by source type, scope and phase from the sums of each (source type, phase) cell."""
    return Totals(
        total_kgco2e=total(cells.values()),
        by_category={c: total(v for (cat, _), v in cells.items() if cat == c) for c in Category},
        by_scope={s: total(v for (cat, _), v in cells.items() if SCOPE_OF[cat] == s) for s in SCOPES},
        by_phase={p: total(v for (_, phase), v in cells.items() if phase == p) for p in Phase},
    )


def refuse_reused_certificates(lines: Sequence[ActivityLine]) -> None:
    """Refuse a green electricity certificate claimed on more than one line."""
    # One certificate proves one quantity of green power: claiming it on two lines counts it twice.
    # References are compared by key, so a certificate typed in another case or width is the same one.
    seen: dict[str, int] = {}
    for index, line in enumerate(lines):
        if not line.green_certificates:
            continue
        named: dict[str, str] = {}
        for ref in line.green_certificates:
            named.setdefault(certificate_key(ref), ref.strip())
        for key, ref in named.items():
            if key in seen:
                raise InvalidActivityLine(
                    f"Certificate {ref} is claimed on line {seen[key]} and again on line {index}.",
                    line=index,
                    certificate=ref,
                )
            seen[key] = index


def calculate_inventory(lines: Sequence[ActivityLine], library: FactorLibrary) -> InventoryResult:
    """An inventory's emissions: every line with its trace, and totals by source type, scope and phase."""
    # The accounted total (the one to offset) is market-based as soon as a line claims certified green
    # electricity: claimed lines count as zero and the rest is counted at the residual-style factor, so
    # green power is not counted twice. Without green claims it is location-based. Both are reported.
    calculator = Calculator(library)
    # EXACT is entered once for all the lines, so that the arithmetic uses operators: several times
    # cheaper than EXACT.multiply() and EXACT.add(), with the same exact results and the same traps.
    with localcontext(EXACT):
        results = tuple([calculator.line(line, index) for index, line in enumerate(lines)])
        refuse_reused_certificates(lines)
        location, market = _both_totals(results)
    basis: Basis = "market_based" if any(line.green for line in lines) else "location_based"
    return InventoryResult.model_construct(
        factor_dataset=library.dataset,
        factor_dataset_version=library.version,
        lines=results,
        accounted_basis=basis,
        accounted=market if basis == "market_based" else location,
        location_based=location,
        market_based=market,
        electricity_note=library.electricity.note,
    )
