"""The one-pass inventory writer gives the very document, or the very error, of calculating then rendering."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.accounting.errors import AccountingError
from services.accounting.factors.library import default_library
from services.accounting.inventories.documents import Rendered, render
from services.accounting.inventories.writing import calculate_and_render
from services.accounting.inventory.calculation import calculate_inventory
from services.accounting.inventory.lines import ActivityLine, CustomFactor
from services.accounting.inventory.units import ALIASES, UNITS, parse_factor_unit
from services.accounting.inventory.vocabulary import Category, DataQuality, Phase

LIBRARY = default_library()
FACTORS = LIBRARY.list()
UNIT_NAMES = sorted([*UNITS, *ALIASES])
QUANTITIES = [
    "0",
    "-0",
    "0E-5",
    "0.000",
    "1",
    "1.50",
    "1E+3",
    "2.5E+2",
    "0.000001",
    "1E-12",
    "3.6",
    "36",
    "7.2",
    "0.0036",
    "42.4200",
    "00012.30",
    "123456789.123456789012",
    "999999999999999",
    "1000000000000000",
    "-1",
    "12345.678",
]
LABELS = [
    "",
    "Hall A",
    'Hall "A" \\ north',
    "第一行\n第二行\t制表",
    "control \u0001 and \u001f",
    "emoji 🌍 é",
    "\u2028",
]
SOURCES = ['Supplier "EPD"\n2025 \\ 供应商', "EPD 2024", "   "]
CUSTOM_UNITS = ["kgCO2e/t", "tCO2/t", "gCO2e/pkm", "kgCO2/kWh", "kgCO2e/meal", "kgCO2/MJ", "kgXX/t"]


def rarely(draw: st.DrawFn) -> bool:
    """True for about one line in a hundred: lines that cannot be calculated stay rare enough that most
    inventories are written, and common enough that every refusal is met."""
    return draw(st.integers(0, 99)) == 0


@st.composite
def activity_lines(draw: st.DrawFn) -> ActivityLine:
    """A line of any kind: library or custom factor, any unit, green or not; now and then one that is refused."""
    factor = draw(st.sampled_from(FACTORS))
    category = draw(st.sampled_from([*Category] if rarely(draw) else [factor.category, *factor.also_for]))
    dimension = UNITS[factor.factor_unit.activity].dimension
    same_dimension = [name for name in UNIT_NAMES if UNITS[ALIASES.get(name, name)].dimension == dimension]
    unit = draw(st.sampled_from(UNIT_NAMES if rarely(draw) else same_dimension))
    quantities = QUANTITIES if rarely(draw) else [q for q in QUANTITIES if not q.startswith("-1")]
    if unit in ("MJ", "GJ", "TJ") and not rarely(draw):
        quantities = ["0", "3.6", "36", "7.2", "0.0036", "1E+3"]  # exact in kWh, or not where a GJ is meant
    fields: dict[str, Any] = {
        "category": category,
        "quantity": Decimal(draw(st.sampled_from(quantities))),
        "unit": unit,
        "factor_id": factor.id,
        "evidence_sha256": draw(st.sampled_from([None, "0" * 64, "ab" * 32])),
        "data_quality": draw(st.sampled_from(list(DataQuality))),
        "phase": draw(st.sampled_from(list(Phase))),
        "label": draw(st.sampled_from(LABELS)),
    }
    kind = draw(st.integers(0, 19))
    if kind == 0:
        custom_unit = draw(st.sampled_from(CUSTOM_UNITS if rarely(draw) else CUSTOM_UNITS[:-1]))
        fields["factor_id"] = "no.such.factor" if rarely(draw) else None
        fields["category"] = draw(st.sampled_from([c for c in Category if c != Category.PURCHASED_ELECTRICITY]))
        fields["unit"] = parse_factor_unit(custom_unit).activity if custom_unit != "kgXX/t" else "t"
        fields["custom_factor"] = CustomFactor(
            value=Decimal(draw(st.sampled_from(["950", "0.5", "0", "12.125"]))),
            unit=custom_unit,
            source=draw(st.sampled_from(SOURCES if rarely(draw) else SOURCES[:-1])),
        )
    elif kind == 1 and rarely(draw):
        fields["factor_id"] = draw(st.sampled_from([None, "no.such.factor"]))
    elif kind in (2, 3, 4) and category == Category.PURCHASED_ELECTRICITY:
        fields["green"] = not rarely(draw)
        references = ["GEC-1", "GEC-2", " 绿证 ", " "] if rarely(draw) else ["GEC-1", "GEC-2", " 绿证 "]
        fields["green_certificates"] = tuple(draw(st.lists(st.sampled_from(references), max_size=2, unique=True)))
    return ActivityLine(**fields)


def outcome(calculate: Any) -> tuple[Any, ...]:
    try:
        rendered: Rendered = calculate()
    except AccountingError as exc:
        return ("refused", type(exc), exc.detail, exc.extensions)
    return ("written", rendered.summary, rendered.lines_text)


def assert_same(lines: list[ActivityLine]) -> None:
    expected = outcome(lambda: render(calculate_inventory(lines, LIBRARY), LIBRARY))
    assert outcome(lambda: calculate_and_render(lines, LIBRARY)) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(activity_lines(), max_size=40))
def test_the_one_pass_writer_writes_what_calculation_and_rendering_write(lines: list[ActivityLine]) -> None:
    assert_same(lines)


def test_many_lines_of_few_factors_with_green_and_custom_lines_among_them() -> None:
    # Traces of lines written by the general path are freed as soon as they are written; a later
    # line's trace must never be taken for an earlier one that lived at the same address.
    lines = []
    for index in range(3000):
        quantity = Decimal(f"{(index * 7919) % 100_000 + 1}.{index % 100:02d}")
        if index % 7 == 0:
            lines.append(
                ActivityLine(
                    category=Category.PURCHASED_ELECTRICITY,
                    quantity=quantity,
                    unit="kWh",
                    factor_id="grid.cn.hainan.2022",
                    green=True,
                    green_certificates=(f"GEC-{index}",),
                )
            )
        elif index % 11 == 0:
            lines.append(
                ActivityLine(
                    category=Category.MATERIALS,
                    quantity=quantity,
                    unit="kg",
                    custom_factor=CustomFactor(value=Decimal(index % 13), unit="kgCO2e/t", source=f"EPD {index}"),
                )
            )
        else:
            category, unit, factor_id = [
                (Category.PURCHASED_ELECTRICITY, "MWh", "grid.cn.hainan.2022"),
                (Category.TRAVEL, "pkm", "transport.hsr.cn.full-process.2019"),
                (Category.FIXED_COMBUSTION, "Nm3", "fuel.natural-gas.gbt32151"),
                (Category.MATERIALS, "kg", "material.paper.virgin.desnz-2025"),
            ][index % 4]
            lines.append(
                ActivityLine(
                    category=category,
                    quantity=quantity,
                    unit=unit,
                    factor_id=factor_id,
                    evidence_sha256=f"{index:064x}",
                    phase=list(Phase)[index % 3],
                    label=f"line {index}" if index % 5 else "",
                )
            )
    assert_same(lines)


def test_an_empty_inventory_is_written_as_an_empty_array() -> None:
    assert_same([])
