"""Serial ranges of credits cancelled in external registries, parsed to detect double claims.

Every external cancellation is reduced to a ``ParsedRange(registry, series, start, end)``: the
registry (CCER, CEA, CER or VCU), a series naming which units the numbers count within, and an
inclusive numeric range. Two cancellations claim the same units when ``overlaps(a, b)``: same
registry, same series, intersecting ranges. ``quantity_units`` is end - start + 1.

Verra VCU serials have 13 hyphen-separated parts, e.g.
``6336-316915733-316915882-VCS-VCU-262-VER-CN-1-1529-01012019-31122019-0``:

    1  6336        issuance (batch) number in the Verra registry
    2  316915733   block start: first unit of the block
    3  316915882   block end: last unit of the block (inclusive; this block is 150 VCUs)
    4  VCS         program, the Verified Carbon Standard
    5  VCU         unit type, Verified Carbon Unit
    6  262         a registry code whose meaning public sources do not agree on; kept, not interpreted
    7  VER         credit type, verified emission reduction
    8  CN          host country, ISO 3166-1 alpha-2
    9  1           sectoral scope number (1 energy industries ... 14 agriculture, forestry, land use)
    10 1529        VCS project ID
    11 01012019    vintage (monitoring period) start, DDMMYYYY
    12 31122019    vintage (monitoring period) end, DDMMYYYY
    13 0           a trailing flag (0 or 1 in registry records; kept, not interpreted)

Parts 2 and 3 are the range, confirmed by registry examples (``...-000001-000100-...`` is 100 VCUs).
The series is ``VCS-VCU-<project ID>-<vintage start>-<vintage end>``: the same units always share
project and vintage, while the issuance number, part 6 and the flag are left out so that a block
re-reported with a different batch number or label still collides with itself.

CCER, CEA and CER serials have no format this platform relies on. The API gives ``serial_from`` and
``serial_to`` separately; when both end in an integer and agree on the text before it, that text is
the series and the two integers the range (``CCER-46-2021-000101`` to ``CCER-46-2021-000250`` is
series ``CCER-46-2021-``, units 101 to 250). When neither ends in an integer the serial is kept as
opaque text: series is the text, the range is [0, 0], and only identical text overlaps. Text is
compared after trimming surrounding spaces and upper-casing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

REGISTRIES = ("CCER", "CEA", "CER", "VCU")
VCU_FORMAT = "issuance-start-end-VCS-VCU-code-VER-country-scope-project-DDMMYYYY-DDMMYYYY-flag"
_TRAILING_INT = re.compile(r"(.*?)([0-9]+)")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class ParsedRange:
    """An inclusive range of unit numbers within one series of an external registry."""

    registry: str
    series: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.registry not in REGISTRIES:
            raise ValueError(f"registry must be one of {', '.join(REGISTRIES)}, got {self.registry!r}")
        if not 0 <= self.start <= self.end:
            raise ValueError(f"serial range must satisfy 0 <= start <= end, got {self.start} to {self.end}")

    @property
    def quantity_units(self) -> int:
        """Number of units in the range (tonnes for VCU, CER, CCER and CEA)."""
        return self.end - self.start + 1


def overlaps(a: ParsedRange, b: ParsedRange) -> bool:
    """Whether two ranges claim at least one common unit."""
    return a.registry == b.registry and a.series == b.series and a.start <= b.end and b.start <= a.end


@dataclass(frozen=True)
class VcuSerial:
    """The parts of a Verra VCU serial number (meanings in the module docstring)."""

    issuance: int
    block_start: int
    block_end: int
    registry_code: str
    country: str
    sectoral_scope: int
    project_id: int
    vintage_start: date
    vintage_end: date
    flag: str

    @property
    def series(self) -> str:
        """The series the block numbers are compared within."""
        return f"VCS-VCU-{self.project_id}-{self.vintage_start:%d%m%Y}-{self.vintage_end:%d%m%Y}"

    def to_range(self) -> ParsedRange:
        """The block as a ParsedRange."""
        return ParsedRange("VCU", self.series, self.block_start, self.block_end)


def _number(part: str, what: str, serial: str) -> int:
    if not _DIGITS.fullmatch(part):
        raise ValueError(f"VCU serial {serial!r}: {what} must be digits, got {part!r}")
    return int(part)


def _ddmmyyyy(part: str, what: str, serial: str) -> date:
    if not re.fullmatch(r"[0-9]{8}", part):
        raise ValueError(f"VCU serial {serial!r}: {what} must be a date DDMMYYYY, got {part!r}")
    try:
        return date(int(part[4:]), int(part[2:4]), int(part[:2]))
    except ValueError as exc:
        raise ValueError(f"VCU serial {serial!r}: {what} {part!r} is not a calendar date") from exc


def _literal(part: str, expected: str, position: int, serial: str) -> None:
    if part != expected:
        raise ValueError(f"VCU serial {serial!r}: part {position} must be {expected!r}, got {part!r}")


def parse_vcu_serial(serial: str) -> VcuSerial:
    """Parse a Verra VCU serial number; raise ValueError saying which part is wrong."""
    text = serial.strip().upper()
    parts = text.split("-")
    if len(parts) != 13:
        raise ValueError(f"a VCU serial has 13 hyphen-separated parts ({VCU_FORMAT}), got {len(parts)}: {serial!r}")
    _literal(parts[3], "VCS", 4, serial)
    _literal(parts[4], "VCU", 5, serial)
    if not re.fullmatch(r"[A-Z]+", parts[6]):
        raise ValueError(f"VCU serial {serial!r}: part 7 (credit type, e.g. VER) must be letters, got {parts[6]!r}")
    if not re.fullmatch(r"[A-Z]{2}", parts[7]):
        raise ValueError(f"VCU serial {serial!r}: part 8 must be a two-letter country code, got {parts[7]!r}")
    if not re.fullmatch(r"[0-9A-Z]+", parts[12]):
        raise ValueError(f"VCU serial {serial!r}: part 13 (flag) must be letters or digits, got {parts[12]!r}")
    parsed = VcuSerial(
        issuance=_number(parts[0], "part 1 (issuance number)", serial),
        block_start=_number(parts[1], "part 2 (block start)", serial),
        block_end=_number(parts[2], "part 3 (block end)", serial),
        registry_code=str(_number(parts[5], "part 6", serial)),
        country=parts[7],
        sectoral_scope=_number(parts[8], "part 9 (sectoral scope)", serial),
        project_id=_number(parts[9], "part 10 (project ID)", serial),
        vintage_start=_ddmmyyyy(parts[10], "part 11 (vintage start)", serial),
        vintage_end=_ddmmyyyy(parts[11], "part 12 (vintage end)", serial),
        flag=parts[12],
    )
    if parsed.block_start > parsed.block_end:
        raise ValueError(
            f"VCU serial {serial!r}: block start {parsed.block_start} is after block end {parsed.block_end}"
        )
    if parsed.vintage_start > parsed.vintage_end:
        raise ValueError(f"VCU serial {serial!r}: vintage starts after it ends")
    return parsed


def parse_vcu_range(serial_from: str, serial_to: str | None = None) -> ParsedRange:
    """A VCU range from one block serial, or from the first and last block serials of one series."""
    first = parse_vcu_serial(serial_from)
    if serial_to is None or serial_to.strip().upper() in ("", serial_from.strip().upper()):
        return first.to_range()
    last = parse_vcu_serial(serial_to)
    if last.series != first.series:
        raise ValueError(f"serial_from and serial_to differ in project or vintage: {first.series} vs {last.series}")
    if first.block_start > last.block_end:
        raise ValueError(f"serial_from starts at {first.block_start}, after serial_to ends at {last.block_end}")
    return ParsedRange("VCU", first.series, first.block_start, last.block_end)


def parse_generic(registry: str, serial_from: str, serial_to: str) -> ParsedRange:
    """A CCER, CEA or CER range: a shared text prefix and trailing integers, or opaque text."""
    name = registry.strip().upper()
    if name not in REGISTRIES or name == "VCU":
        raise ValueError(f"registry must be CCER, CEA or CER here (VCU has its own format), got {registry!r}")
    first, last = serial_from.strip().upper(), serial_to.strip().upper()
    if not first or not last:
        raise ValueError("serial_from and serial_to must not be empty")
    match_first, match_last = _TRAILING_INT.fullmatch(first), _TRAILING_INT.fullmatch(last)
    if match_first is None and match_last is None:
        series = first if first == last else f"{first}..{last}"
        return ParsedRange(name, series, 0, 0)
    if match_first is None or match_last is None:
        raise ValueError(f"serial_from and serial_to must both end in a number, or neither: {first!r}, {last!r}")
    if match_first[1] != match_last[1]:
        raise ValueError(
            "serial_from and serial_to must share the text before their numbers: "
            f"{match_first[1]!r} vs {match_last[1]!r}"
        )
    start, end = int(match_first[2]), int(match_last[2])
    if start > end:
        raise ValueError(f"serial_from ({start}) is after serial_to ({end})")
    return ParsedRange(name, match_first[1], start, end)


def parse_external(registry: str, serial_from: str, serial_to: str | None = None) -> ParsedRange:
    """Parse the serials of an external cancellation for the given registry (CCER, CEA, CER, VCU)."""
    name = registry.strip().upper()
    if name not in REGISTRIES:
        raise ValueError(f"registry must be one of {', '.join(REGISTRIES)}, got {registry!r}")
    if name == "VCU":
        return parse_vcu_range(serial_from, serial_to)
    return parse_generic(name, serial_from, serial_to if serial_to is not None else serial_from)
