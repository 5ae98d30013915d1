"""Emissions of activity lines (activity data × emission factor), with a trace per line, and totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.accounting.errors import AccountingError, GreenCertificateRequired, InvalidActivityLine
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
)
from services.accounting.inventory.units import (
    FactorUnit,
    conversion_ratio,
    convert,
    parse_factor_unit,
    product,
    require_finite_non_negative,
    total,
)
from services.accounting.inventory.vocabulary import SCOPE_OF, Category, Phase, Scope, scope_of

ELECTRICITY = Category.PURCHASED_ELECTRICITY


@dataclass(frozen=True)
class _Factor:
    """A library or custom factor reduced to what the arithmetic and the trace need."""

    id: str | None
    value: Decimal
    unit: FactorUnit
    source: str
    verified: bool
    flag: str | None


def _from_library(factor: EmissionFactor) -> _Factor:
    return _Factor(
        id=factor.id,
        value=factor.value,
        unit=factor.factor_unit,
        source=factor.citation(),
        verified=factor.verified,
        flag=factor.flag,
    )


def _from_custom(custom: CustomFactor) -> _Factor:
    require_finite_non_negative(custom.value, "The custom factor value")
    if not custom.source.strip():
        raise InvalidActivityLine("A custom factor needs its source.")
    return _Factor(
        id=None,
        value=custom.value,
        unit=parse_factor_unit(custom.unit),
        source=custom.source.strip(),
        verified=False,
        flag="Custom factor supplied with the activity line.",
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
    require_finite_non_negative(line.quantity, "The quantity")
    if line.green and line.category != ELECTRICITY:
        raise InvalidActivityLine(f"Only purchased electricity can be green, not {line.category}.")
    if line.green_certificates and not line.green:
        raise InvalidActivityLine("Certificate references are given but the line is not flagged green.")
    if line.green and not [ref for ref in line.green_certificates if ref.strip()]:
        raise GreenCertificateRequired(
            "Green electricity counts as zero only with the references of its green electricity "
            "certificates (or green power trading records); add them or unflag the line."
        )
    if any(not ref.strip() for ref in line.green_certificates):
        raise InvalidActivityLine("A certificate reference is blank.")


def _apply(line: ActivityLine, factor: _Factor) -> LineTrace:
    activity = factor.unit.activity
    ratio = conversion_ratio(line.unit, activity)
    converted = convert(line.quantity, line.unit, activity)
    kg_per = factor.unit.kg_per_mass_unit
    emissions = product(converted, factor.value, kg_per)
    gas = factor.unit.gas
    arithmetic = f"{plain(line.quantity)} {line.unit}"
    if ratio is not None and ratio != 1:
        arithmetic += f" × {plain(ratio, grouping=False)} {activity}/{line.unit}"
    elif ratio is None:
        # One MJ is 1/3.6 kWh: show the exact inverse as a division rather than a rounded ratio.
        inverse = conversion_ratio(activity, line.unit)
        arithmetic += f" ÷ {plain(inverse, grouping=False)} {line.unit}/{activity}" if inverse else ""
    arithmetic += f" × {plain(factor.value, grouping=False)} {factor.unit.symbol}"
    if kg_per != 1:
        arithmetic += f" × {plain(kg_per, grouping=False)} kg{gas}/{factor.unit.mass}{gas}"
    return LineTrace(
        factor_id=factor.id,
        factor_value=factor.value,
        factor_unit=factor.unit.symbol,
        gas_basis=gas,
        source=factor.source,
        verified=factor.verified,
        flag=factor.flag,
        quantity=line.quantity,
        unit=line.unit,
        conversion_ratio=ratio,
        converted_quantity=converted,
        activity_unit=activity,
        emissions_kgco2e=emissions,
        arithmetic=f"{arithmetic} = {plain(emissions)} kg{gas}",
    )


def _green_trace(line: ActivityLine) -> LineTrace:
    refs = ", ".join(ref.strip() for ref in line.green_certificates)
    return LineTrace(
        factor_id=None,
        factor_value=Decimal(0),
        factor_unit=f"kgCO2/{line.unit}",
        gas_basis="CO2",
        source=f"green electricity certificates: {refs}",
        verified=True,
        flag=None,
        quantity=line.quantity,
        unit=line.unit,
        conversion_ratio=Decimal(1),
        converted_quantity=line.quantity,
        activity_unit=line.unit,
        emissions_kgco2e=Decimal(0),
        arithmetic=f"{plain(line.quantity)} {line.unit} green electricity (certificates {refs}) "
        f"× 0 kgCO2/{line.unit} = 0 kgCO2",
    )


def calculate_line(line: ActivityLine, library: FactorLibrary, index: int = 0) -> LineResult:
    """Emissions of one activity line in kgCO2e, location-based and market-based, with traces."""
    try:
        return _calculate(line, library, index)
    except AccountingError as exc:
        # Name the line, so an error in a long inventory points at the row to fix.
        exc.detail = f"Line {index}: {exc.detail}"
        exc.args = (exc.detail,)
        exc.extensions["line"] = index
        raise


def _calculate(line: ActivityLine, library: FactorLibrary, index: int) -> LineResult:
    _check_line(line)
    trace = _apply(line, _factor_for(line, library))
    market_trace: LineTrace | None = None
    if line.category == ELECTRICITY:
        if line.green:
            market_trace = _green_trace(line)
        else:
            residual = library.get(library.electricity.market_based_residual)
            market_trace = _apply(line, _from_library(residual))
    return LineResult(
        index=index,
        line=line,
        scope=scope_of(line.category),
        location_based_kgco2e=trace.emissions_kgco2e,
        market_based_kgco2e=(market_trace or trace).emissions_kgco2e,
        trace=trace,
        market_based_trace=market_trace,
    )


def _totals(results: Sequence[LineResult], basis: Basis) -> Totals:
    def amount(result: LineResult) -> Decimal:
        return result.location_based_kgco2e if basis == "location_based" else result.market_based_kgco2e

    scopes: tuple[Scope, ...] = (1, 2, 3)
    return Totals(
        total_kgco2e=total(amount(r) for r in results),
        by_category={c: total(amount(r) for r in results if r.line.category == c) for c in Category},
        by_scope={s: total(amount(r) for r in results if SCOPE_OF[r.line.category] == s) for s in scopes},
        by_phase={p: total(amount(r) for r in results if r.line.phase == p) for p in Phase},
    )


def _refuse_reused_certificates(lines: Sequence[ActivityLine]) -> None:
    # One certificate proves one quantity of green power: claiming it on two lines counts it twice.
    seen: dict[str, int] = {}
    for index, line in enumerate(lines):
        for ref in dict.fromkeys(ref.strip() for ref in line.green_certificates):
            if ref in seen:
                raise InvalidActivityLine(
                    f"Certificate {ref} is claimed on line {seen[ref]} and again on line {index}.",
                    line=index,
                    certificate=ref,
                )
            seen[ref] = index


def calculate_inventory(lines: Sequence[ActivityLine], library: FactorLibrary) -> InventoryResult:
    """An inventory's emissions: every line with its trace, and totals by source type, scope and phase."""
    # The accounted total (the one to offset) is market-based as soon as a line claims certified green
    # electricity: claimed lines count as zero and the rest is counted at the residual-style factor, so
    # green power is not counted twice. Without green claims it is location-based. Both are reported.
    results = tuple(calculate_line(line, library, index) for index, line in enumerate(lines))
    _refuse_reused_certificates(lines)
    basis: Basis = "market_based" if any(line.green for line in lines) else "location_based"
    location, market = _totals(results, "location_based"), _totals(results, "market_based")
    return InventoryResult(
        factor_dataset=library.dataset,
        factor_dataset_version=library.version,
        lines=results,
        accounted_basis=basis,
        accounted=market if basis == "market_based" else location,
        location_based=location,
        market_based=market,
        electricity_note=library.electricity.note,
    )
