"""Credit blocks: serial strings, splitting a block, and picking which blocks move."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.credits.blocks import (
    MAX_SERIAL,
    CreditBlock,
    InsufficientCreditsError,
    Pick,
    pick_blocks,
    split_block,
)

TONNE = 1_000_000


def block(start: int, end: int, vintage: int = 2024, project: str = "HNMG0001", unit: str = "HNCI") -> CreditBlock:
    return CreditBlock(unit, project, vintage, start, end)


def test_serial_string_has_the_documented_shape() -> None:
    mangrove = block(1, TONNE)
    assert mangrove.serial == "HNCI-HNMG0001-2024-000000000000001-000000001000000"
    assert mangrove.size == TONNE
    assert CreditBlock.parse(mangrove.serial) == mangrove


@pytest.mark.parametrize(
    "serial",
    [
        "hnci-HNMG0001-2024-000000000000001-000000001000000",
        "HNCI-HNMG0001-2024-1-1000000",
        "HNCI-HNMG0001-2024-000000000000001",
        "HNCI-HN-MG0001-2024-000000000000001-000000001000000",
        "HNCI-HNMG0001-24-000000000000001-000000001000000",
        "HNCI-HNMG0001-2024-000000000000001-000000001000000 ",
        "H-HNMG0001-2024-000000000000001-000000001000000",
    ],
)
def test_malformed_serials_say_what_was_expected(serial: str) -> None:
    with pytest.raises(ValueError, match="must look like <UNIT TYPE>-<PROJECT CODE>-<VINTAGE>"):
        CreditBlock.parse(serial)


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        ("HNCI-HNMG0001-2024-000000000000000-000000000000010", "1 <= start <= end"),
        ("HNCI-HNMG0001-2024-000000000000011-000000000000010", "1 <= start <= end"),
        ("HNCI-HNMG0001-1899-000000000000001-000000000000010", "vintage must be a year"),
    ],
)
def test_well_shaped_but_impossible_serials_are_rejected(serial: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CreditBlock.parse(serial)


def test_fields_are_validated_on_construction() -> None:
    with pytest.raises(ValueError, match="unit type"):
        block(1, 2, unit="hnci")
    with pytest.raises(ValueError, match="project code"):
        block(1, 2, project="HN-01")
    with pytest.raises(ValueError, match="must be an integer"):
        CreditBlock("HNCI", "P1", 2024, 1, 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1 <= start <= end"):
        block(1, MAX_SERIAL + 1)


units = st.from_regex(r"[A-Z][A-Z0-9]{1,7}", fullmatch=True)
projects = st.from_regex(r"[A-Z0-9]{1,32}", fullmatch=True)


@st.composite
def blocks(draw: st.DrawFn) -> CreditBlock:
    start = draw(st.integers(1, MAX_SERIAL))
    end = draw(st.integers(start, min(MAX_SERIAL, start + 10**12)))
    return CreditBlock(draw(units), draw(projects), draw(st.integers(1900, 9999)), start, end)


@given(blocks())
def test_serial_strings_round_trip(credit: CreditBlock) -> None:
    assert CreditBlock.parse(credit.serial) == credit


@given(blocks(), blocks())
def test_serial_text_order_is_number_order_within_a_series(a: CreditBlock, b: CreditBlock) -> None:
    b = CreditBlock(a.unit_type, a.project_code, a.vintage, b.start, b.end)
    assert (a.serial < b.serial) == ((a.start, a.end) < (b.start, b.end))


def test_split_keeps_the_head_and_moves_the_tail() -> None:
    head, tail = split_block(block(1, TONNE), 250_000)
    assert head == block(1, 750_000)
    assert tail == block(750_001, TONNE)


def test_moving_the_whole_block_is_not_a_split() -> None:
    whole = block(11, 20)
    assert split_block(whole, 10) == (None, whole)


@pytest.mark.parametrize("quantity", [0, -5, 11, True])
def test_impossible_split_quantities_are_refused(quantity: int) -> None:
    with pytest.raises(ValueError, match="quantity must be a positive integer|cannot take 11 g"):
        split_block(block(11, 20), quantity)


@given(st.data())
def test_split_conserves_quantity_and_cuts_cleanly(data: st.DataObject) -> None:
    credit = data.draw(blocks())
    quantity = data.draw(st.integers(1, credit.size))
    head, tail = split_block(credit, quantity)
    assert tail.size == quantity
    assert tail.end == credit.end and tail.series == credit.series
    if head is None:
        assert tail == credit
    else:
        assert head.size + tail.size == credit.size
        assert head.start == credit.start and head.end + 1 == tail.start
        assert not head.overlaps(tail)
        assert head.series == credit.series


def test_picker_takes_oldest_vintage_then_lowest_serial_and_splits_the_last() -> None:
    held = [block(1, 100, 2024), block(501, 600, 2023), block(101, 200, 2023), block(1, 50, 2023, "SDFO01")]
    picks = pick_blocks(held, 180)
    assert picks == [
        Pick(moved=block(1, 50, 2023, "SDFO01"), kept=None),
        Pick(moved=block(101, 200, 2023), kept=None),
        Pick(moved=block(571, 600, 2023), kept=block(501, 570, 2023)),
    ]
    assert [p.source for p in picks] == [held[3], held[2], held[1]]


def test_picker_moves_exactly_the_holdings_when_asked_for_all() -> None:
    held = [block(1, 100), block(201, 300)]
    picks = pick_blocks(held, 200)
    assert [p.moved for p in picks] == held
    assert all(p.kept is None for p in picks)


def test_picker_uses_only_named_blocks() -> None:
    held = [block(1, 100, 2022), block(201, 300), block(401, 500)]
    picks = pick_blocks(held, 150, named=[held[2].serial, held[1].serial])
    assert [p.source for p in picks] == [held[1], held[2]]
    assert picks[-1].moved == block(451, 500)
    with pytest.raises(ValueError, match="named blocks are not held: HNCI-HNMG0001-2024-000000000000999"):
        pick_blocks(held, 1, named=[block(999, 1000).serial])


def test_picker_refuses_when_holdings_are_short() -> None:
    with pytest.raises(InsufficientCreditsError, match="200 g held, 201 g requested") as exc:
        pick_blocks([block(1, 100), block(201, 300)], 201)
    assert (exc.value.held, exc.value.requested) == (200, 201)
    with pytest.raises(InsufficientCreditsError):
        pick_blocks([], 1)


def test_picker_refuses_mixed_unit_types_and_overlapping_holdings() -> None:
    with pytest.raises(ValueError, match="several unit types \\(HNCI, SDCI\\)"):
        pick_blocks([block(1, 10), block(1, 10, unit="SDCI")], 5)
    with pytest.raises(ValueError, match="held blocks overlap"):
        pick_blocks([block(1, 10), block(10, 20)], 5)
    with pytest.raises(ValueError, match="quantity must be a positive integer"):
        pick_blocks([block(1, 10)], 0)


@st.composite
def holdings(draw: st.DrawFn) -> list[CreditBlock]:
    series = draw(
        st.lists(st.tuples(st.sampled_from(["HNMG0001", "HNFO0002", "SDSEA3"]), st.integers(2020, 2025)), min_size=1)
    )
    next_start: dict[tuple[str, int], int] = defaultdict(lambda: 1)
    held = []
    for project, vintage in series:
        start = next_start[(project, vintage)] + draw(st.integers(0, 5 * TONNE))
        end = start + draw(st.integers(0, 3 * TONNE))
        next_start[(project, vintage)] = end + 1
        held.append(CreditBlock("HNCI", project, vintage, start, end))
    return draw(st.permutations(held))


@given(st.data())
def test_picking_conserves_quantity_and_never_overlaps(data: st.DataObject) -> None:
    held = data.draw(holdings())
    total = sum(b.size for b in held)
    quantity = data.draw(st.integers(1, total))
    picks = pick_blocks(held, quantity)
    moved = [p.moved for p in picks]
    assert sum(b.size for b in moved) == quantity
    assert all(p.kept is None for p in picks[:-1])
    for p in picks:
        assert p.source in held
        assert p.moved.size + (p.kept.size if p.kept else 0) == p.source.size
    pieces = moved + [p.kept for p in picks if p.kept] + [b for b in held if b not in [p.source for p in picks]]
    assert sum(b.size for b in pieces) == total
    for i, a in enumerate(pieces):
        assert not any(a.overlaps(b) for b in pieces[i + 1 :])
    order = [(p.source.vintage, p.source.start) for p in picks]
    assert order == sorted(order)
    untouched = [b for b in held if b not in [p.source for p in picks]]
    assert all((b.vintage, b.start) >= order[-1] for b in untouched)
    with pytest.raises(InsufficientCreditsError):
        pick_blocks(held, total + 1)
