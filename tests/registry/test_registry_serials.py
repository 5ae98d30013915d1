"""Serials of external registries, parsed to catch the same units cancelled twice."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.cancellations.serials import (
    ParsedRange,
    overlaps,
    parse_external,
    parse_generic,
    parse_vcu_range,
    parse_vcu_serial,
)

CHINA_BLOCK = "6336-316915733-316915882-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0"
CAMBODIA_BLOCK = "11158-289118799-289118805-VCS-VCU-263-VER-KH-14-1748-01012019-31122019-1"


def test_a_verra_serial_is_parsed_into_its_parts() -> None:
    serial = parse_vcu_serial(CHINA_BLOCK)
    assert (serial.issuance, serial.block_start, serial.block_end) == (6336, 316915733, 316915882)
    assert (serial.country, serial.sectoral_scope, serial.project_id) == ("CN", 1, 1529)
    assert (serial.vintage_start, serial.vintage_end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert (serial.registry_code, serial.flag) == ("262", "0")
    parsed = serial.to_range()
    assert parsed == ParsedRange("VCU", "VCS-VCU-1529-01012019-31122019", 316915733, 316915882)
    assert parsed.quantity_units == 150


def test_a_forestry_block_from_another_country() -> None:
    parsed = parse_external("VCU", CAMBODIA_BLOCK)
    assert parsed.series == "VCS-VCU-1748-01012019-31122019"
    assert parsed.quantity_units == 7
    assert parse_vcu_serial(CAMBODIA_BLOCK).sectoral_scope == 14


def test_a_sub_block_of_a_cancelled_vcu_block_overlaps_it() -> None:
    first = parse_external("VCU", CHINA_BLOCK)
    reclaimed = parse_external("VCU", "7001-316915800-316915850-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-1")
    assert overlaps(first, reclaimed) and overlaps(reclaimed, first)


def test_the_next_vcu_block_of_the_same_project_does_not_overlap() -> None:
    first = parse_external("VCU", CHINA_BLOCK)
    following = parse_external("VCU", "6336-316915883-316916882-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0")
    assert not overlaps(first, following)


def test_same_numbers_in_another_project_or_vintage_do_not_overlap() -> None:
    first = parse_external("VCU", CHINA_BLOCK)
    other_project = parse_external("VCU", CHINA_BLOCK.replace("-1529-", "-1530-"))
    other_vintage = parse_external("VCU", CHINA_BLOCK.replace("01012019-31122019", "01012020-31122020"))
    assert not overlaps(first, other_project)
    assert not overlaps(first, other_vintage)


def test_vcu_range_from_first_and_last_block_serials() -> None:
    last = "6340-316916001-316916100-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0"
    parsed = parse_vcu_range(CHINA_BLOCK, last)
    assert (parsed.start, parsed.end, parsed.quantity_units) == (316915733, 316916100, 368)
    assert parse_external("vcu", f" {CHINA_BLOCK.lower()} ", CHINA_BLOCK) == parse_external("VCU", CHINA_BLOCK)
    with pytest.raises(ValueError, match="differ in project or vintage"):
        parse_vcu_range(CHINA_BLOCK, CAMBODIA_BLOCK)
    with pytest.raises(ValueError, match="after serial_to ends"):
        parse_vcu_range(last, "6336-316915733-316915800-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0")


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        ("6336-316915733-316915882-VCS-VCU-262-VER-CN-1-1529-01012019-31122019", "13 hyphen-separated parts"),
        ("6336-316915733-316915882-GS-VCU-262-VER-CN-1-1529-01012019-31122019-0", "part 4 must be 'VCS'"),
        ("6336-316915733-316915882-VCS-VER-262-VER-CN-1-1529-01012019-31122019-0", "part 5 must be 'VCU'"),
        ("6336-3169157AA-316915882-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0", "part 2 \\(block start\\)"),
        ("6336-316915882-316915733-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0", "is after block end"),
        ("6336-316915733-316915882-VCS-VCU-262-VER-CHN-1-1529-01012019-31122019-0", "two-letter country"),
        ("6336-316915733-316915882-VCS-VCU-262-VER-CN-1-1529-31022019-31122019-0", "not a calendar date"),
        ("6336-316915733-316915882-VCS-VCU-262-VER-CN-1-1529-2019-31122019-0", "DDMMYYYY"),
        ("6336-316915733-316915882-VCS-VCU-262-VER-CN-1-1529-31122019-01012019-0", "vintage starts after"),
        ("6336-316915733-316915882-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-", "part 13"),
    ],
)
def test_malformed_vcu_serials_say_which_part_is_wrong(serial: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_vcu_serial(serial)


def test_ccer_range_from_numbered_serials() -> None:
    parsed = parse_external("CCER", "CCER-46-2021-000101", "CCER-46-2021-000250")
    assert parsed == ParsedRange("CCER", "CCER-46-2021-", 101, 250)
    assert parsed.quantity_units == 150


def test_overlapping_ccer_claims_are_caught_whatever_the_padding_or_case() -> None:
    first = parse_external("CCER", "CCER-46-2021-000101", "CCER-46-2021-000250")
    second = parse_external("ccer", " ccer-46-2021-250", "ccer-46-2021-300 ")
    assert overlaps(first, second)
    assert not overlaps(first, parse_external("CCER", "CCER-46-2021-000251", "CCER-46-2021-000300"))
    assert not overlaps(first, parse_external("CER", "CCER-46-2021-000101", "CCER-46-2021-000250"))


def test_a_single_numbered_serial_is_a_range_of_one() -> None:
    parsed = parse_external("CER", "CN-5-285931467")
    assert (parsed.series, parsed.start, parsed.end, parsed.quantity_units) == ("CN-5-", 285931467, 285931467, 1)


def test_unnumbered_serials_are_kept_as_opaque_text() -> None:
    cea = parse_external("CEA", "CEA-HN-2021-ALLOCATION-A")
    assert cea == ParsedRange("CEA", "CEA-HN-2021-ALLOCATION-A", 0, 0)
    assert overlaps(cea, parse_external("CEA", "cea-hn-2021-allocation-a", "CEA-HN-2021-ALLOCATION-A"))
    assert not overlaps(cea, parse_external("CEA", "CEA-HN-2021-ALLOCATION-B"))
    assert parse_external("CEA", "LOT-A", "LOT-B").series == "LOT-A..LOT-B"


@pytest.mark.parametrize(
    ("registry", "first", "last", "message"),
    [
        ("CCER", "CCER-46-2021-000101", "CCER-44-2021-000250", "share the text before their numbers"),
        ("CCER", "CCER-46-2021-000101", "CCER-46-2021-END", "both end in a number, or neither"),
        ("CCER", "CCER-46-2021-000250", "CCER-46-2021-000101", "serial_from \\(250\\) is after serial_to \\(101\\)"),
        ("CER", " ", "CN-5-1", "must not be empty"),
        ("GS", "GS1-1-GS-VER-1", "GS1-1-GS-VER-2", "registry must be one of CCER, CEA, CER, VCU"),
    ],
)
def test_generic_serial_errors_say_what_was_expected(registry: str, first: str, last: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_external(registry, first, last)


def test_generic_parser_refuses_vcu() -> None:
    with pytest.raises(ValueError, match="VCU has its own format"):
        parse_generic("VCU", CHINA_BLOCK, CHINA_BLOCK)
    with pytest.raises(ValueError, match="0 <= start <= end"):
        ParsedRange("CCER", "X-", 5, 4)


small_ranges = st.tuples(st.integers(0, 40), st.integers(0, 40)).map(sorted)


@given(small_ranges, small_ranges, st.booleans())
def test_overlap_means_a_shared_unit(a: list[int], b: list[int], same_series: bool) -> None:
    first = ParsedRange("CCER", "CCER-46-", a[0], a[1])
    second = ParsedRange("CCER", "CCER-46-" if same_series else "CCER-44-", b[0], b[1])
    shared = set(range(a[0], a[1] + 1)) & set(range(b[0], b[1] + 1))
    assert overlaps(first, second) == (same_series and bool(shared))
