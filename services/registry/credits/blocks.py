"""Credit blocks: integer serial ranges of carbon-inclusion credits issued on this platform.

Quantities are integer grams of CO2e and serial numbers count grams, so the block [start, end]
(inclusive) holds end - start + 1 grams. Serial numbers are counted within one series, the triple
(unit type, project code, vintage); the registry issues them consecutively from 1.

Serial string of a block::

    <UNIT TYPE>-<PROJECT CODE>-<VINTAGE>-<START>-<END>
    HNCI-HNMG0001-2024-000000000000001-000000001000000     (1 tonne: grams 1 to 1,000,000)

- UNIT TYPE: 2 to 8 characters, an uppercase letter then uppercase letters or digits, e.g. ``HNCI``
  (Hainan carbon-inclusion credit) or ``SDCI`` (Shandong).
- PROJECT CODE: the platform's code of the filed project, 1 to 32 uppercase letters or digits.
- VINTAGE: the four-digit year the reductions happened, 1900 to 9999.
- START, END: the first and last gram, exactly 15 decimal digits, zero-padded, 1 <= START <= END.
  Fixed width makes text order equal number order; 15 digits reach 10^15 g (one gigatonne).

No field may contain a hyphen, so splitting on ``-`` always yields the five fields. Parsing is
strict: ``CreditBlock.parse(block.serial) == block`` and every valid string has one meaning.

``split_block`` cuts one block for a transfer (the holder keeps the head, the tail moves) and
``pick_blocks`` chooses which held blocks move, deterministically.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

SERIAL_DIGITS = 15
MAX_SERIAL = 10**SERIAL_DIGITS - 1
_UNIT_RE = re.compile(r"[A-Z][A-Z0-9]{1,7}")
_PROJECT_RE = re.compile(r"[A-Z0-9]{1,32}")
_SERIAL_RE = re.compile(
    rf"(?P<unit>[A-Z][A-Z0-9]{{1,7}})-(?P<project>[A-Z0-9]{{1,32}})-(?P<vintage>[0-9]{{4}})"
    rf"-(?P<start>[0-9]{{{SERIAL_DIGITS}}})-(?P<end>[0-9]{{{SERIAL_DIGITS}}})"
)
_SERIAL_FORMAT = "<UNIT TYPE>-<PROJECT CODE>-<VINTAGE>-<15-digit START>-<15-digit END>"


class InsufficientCreditsError(ValueError):
    """The holder's eligible blocks hold less than the quantity asked for."""

    def __init__(self, held: int, requested: int) -> None:
        super().__init__(f"holdings are short: {held} g held, {requested} g requested")
        self.held = held
        self.requested = requested


@dataclass(frozen=True)
class CreditBlock:
    """A contiguous serial range [start, end] of one series (unit type, project, vintage)."""

    unit_type: str
    project_code: str
    vintage: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if not _UNIT_RE.fullmatch(self.unit_type):
            raise ValueError(f"unit type must be a letter then 1-7 uppercase letters or digits: {self.unit_type!r}")
        if not _PROJECT_RE.fullmatch(self.project_code):
            raise ValueError(f"project code must be 1-32 uppercase letters or digits: {self.project_code!r}")
        if not isinstance(self.vintage, int) or isinstance(self.vintage, bool) or not 1900 <= self.vintage <= 9999:
            raise ValueError(f"vintage must be a year from 1900 to 9999, got {self.vintage!r}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"serial {name} must be an integer, got {value!r}")
        if not 1 <= self.start <= self.end <= MAX_SERIAL:
            raise ValueError(
                f"serial range must satisfy 1 <= start <= end <= {MAX_SERIAL}, got [{self.start}, {self.end}]"
            )

    @property
    def size(self) -> int:
        """Grams of CO2e in the block."""
        return self.end - self.start + 1

    @property
    def series(self) -> tuple[str, str, int]:
        """The (unit type, project code, vintage) the serial numbers count within."""
        return (self.unit_type, self.project_code, self.vintage)

    @property
    def serial(self) -> str:
        """The block's serial string (format in the module docstring)."""
        return (
            f"{self.unit_type}-{self.project_code}-{self.vintage:04d}"
            f"-{self.start:0{SERIAL_DIGITS}d}-{self.end:0{SERIAL_DIGITS}d}"
        )

    @classmethod
    def parse(cls, serial: str) -> CreditBlock:
        """Parse a serial string; raise ValueError saying what was expected."""
        match = _SERIAL_RE.fullmatch(serial)
        if match is None:
            raise ValueError(f"credit serial must look like {_SERIAL_FORMAT}, got {serial!r}")
        return cls(
            unit_type=match["unit"],
            project_code=match["project"],
            vintage=int(match["vintage"]),
            start=int(match["start"]),
            end=int(match["end"]),
        )

    def overlaps(self, other: CreditBlock) -> bool:
        """Whether the two blocks share at least one serial number."""
        return self.series == other.series and self.start <= other.end and other.start <= self.end


def _check_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValueError(f"quantity must be a positive integer of grams, got {quantity!r}")


def split_block(block: CreditBlock, quantity: int) -> tuple[CreditBlock | None, CreditBlock]:
    """Cut ``quantity`` grams off the end of a block: (head the holder keeps, tail that moves).

    ``quantity == block.size`` moves the whole block and returns ``(None, block)``.
    """
    _check_quantity(quantity)
    if quantity > block.size:
        raise ValueError(f"cannot take {quantity} g from block {block.serial} of {block.size} g")
    if quantity == block.size:
        return None, block
    cut = block.end - quantity
    head = CreditBlock(block.unit_type, block.project_code, block.vintage, block.start, cut)
    tail = CreditBlock(block.unit_type, block.project_code, block.vintage, cut + 1, block.end)
    return head, tail


@dataclass(frozen=True)
class Pick:
    """One decision of ``pick_blocks``: the block that moves and what the holder keeps of it."""

    moved: CreditBlock
    kept: CreditBlock | None

    @property
    def source(self) -> CreditBlock:
        """The held block this decision cuts or moves whole."""
        if self.kept is None:
            return self.moved
        return CreditBlock(
            self.moved.unit_type, self.moved.project_code, self.moved.vintage, self.kept.start, self.moved.end
        )


def _pick_order(block: CreditBlock) -> tuple[int, int, str, int]:
    return (block.vintage, block.start, block.project_code, block.end)


def _check_disjoint(blocks: Iterable[CreditBlock]) -> None:
    previous: CreditBlock | None = None
    for block in sorted(blocks, key=lambda b: (b.series, b.start)):
        if previous is not None and previous.overlaps(block):
            raise ValueError(f"held blocks overlap: {previous.serial} and {block.serial}")
        previous = block


def pick_blocks(blocks: Iterable[CreditBlock], quantity: int, named: Collection[str] | None = None) -> list[Pick]:
    """Choose the blocks that move ``quantity`` grams: oldest vintage, then lowest serial, first.

    Whole blocks are taken in that order and the last one is split with ``split_block``. ``named``
    restricts the choice to the blocks with those serial strings. Refuses (InsufficientCreditsError)
    when the eligible blocks hold less than ``quantity``.
    """
    _check_quantity(quantity)
    held = list(blocks)
    _check_disjoint(held)
    if named is not None:
        by_serial = {block.serial: block for block in held}
        missing = sorted(set(named) - by_serial.keys())
        if missing:
            raise ValueError(f"named blocks are not held: {', '.join(missing)}")
        held = [by_serial[serial] for serial in set(named)]
    unit_types = {block.unit_type for block in held}
    if len(unit_types) > 1:
        raise ValueError(f"blocks of several unit types ({', '.join(sorted(unit_types))}); pick within one")
    available = sum(block.size for block in held)
    if available < quantity:
        raise InsufficientCreditsError(available, quantity)
    picks: list[Pick] = []
    remaining = quantity
    for block in sorted(held, key=_pick_order):
        kept, moved = split_block(block, min(remaining, block.size))
        picks.append(Pick(moved=moved, kept=kept))
        remaining -= moved.size
        if remaining == 0:
            break
    return picks
