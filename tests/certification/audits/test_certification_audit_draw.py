"""The random audit draw: reproducible by anyone from the checkpoint, the round id and the certificate list."""

from __future__ import annotations

import hashlib
import math
import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from services.certification.audits.draw import METHOD, AuditDrawError, audit_seed, draw, sample_size

ROOT = hashlib.sha256(b"checkpoint of 2025-03-01").digest()
CERTIFICATES = [f"urn:uuid:00000000-0000-4000-8000-{n:012d}" for n in range(1, 401)]


def their_draw(root: bytes, size: int, round_id: str, ids: list[str], rate: Decimal) -> list[str]:
    """Written from the method text alone, as an auditor would."""
    seed = hashlib.sha256(root + size.to_bytes(8, "big") + round_id.encode()).digest()
    k = math.ceil(Fraction(rate) * len(ids))
    return sorted(sorted(ids), key=lambda i: (hashlib.sha256(seed + i.encode()).digest(), i))[:k]


def test_the_same_public_inputs_give_the_same_sample() -> None:
    shuffled = CERTIFICATES[:]
    random.Random(7).shuffle(shuffled)
    first = draw(ROOT, 1234, "HI-2025-Q1", CERTIFICATES, Decimal("0.05"))
    again = draw(ROOT, 1234, "HI-2025-Q1", shuffled, Decimal("0.05"))
    assert first == again
    assert len(first.sample) == 20
    assert first.population == tuple(sorted(CERTIFICATES))


def test_an_independent_implementation_of_the_method_agrees() -> None:
    for rate in ("0.05", "0.1", "0.333", "1"):
        ours = draw(ROOT, 1234, "HI-2025-Q1", CERTIFICATES, Decimal(rate))
        assert list(ours.sample) == their_draw(ROOT, 1234, "HI-2025-Q1", CERTIFICATES, Decimal(rate))


def test_the_seed_is_exactly_the_documented_bytes() -> None:
    expected = hashlib.sha256(ROOT + bytes([0, 0, 0, 0, 0, 0, 0x04, 0xD2]) + "海南-2025-Q1".encode()).digest()
    assert audit_seed(ROOT, 1234, "海南-2025-Q1") == expected


@pytest.mark.parametrize(
    "change",
    [
        {"root_hash": hashlib.sha256(b"checkpoint of 2025-03-02").digest()},
        {"tree_size": 1235},
        {"round_id": "HI-2025-Q2"},
    ],
)
def test_a_different_checkpoint_or_round_gives_a_different_sample(change: dict[str, Any]) -> None:
    inputs: dict[str, Any] = {"root_hash": ROOT, "tree_size": 1234, "round_id": "HI-2025-Q1"}
    base = draw(**inputs, certificate_ids=CERTIFICATES, rate=Decimal("0.05"))
    other = draw(**(inputs | change), certificate_ids=CERTIFICATES, rate=Decimal("0.05"))
    assert other.seed != base.seed
    assert set(other.sample) != set(base.sample)


@pytest.mark.parametrize(
    ("population", "rate", "expected"),
    [
        (0, "0.5", 0),
        (1, "0.01", 1),
        (10, "0.001", 1),
        (10, "0.1", 1),
        (10, "0.11", 2),
        (10, "0.2", 2),
        (10, "1", 10),
        (3, "0.3333333333333333333333333333333333334", 2),
        (3, "0.6666666666666666666666666666666666667", 3),
        (12345, "0.05", 618),
    ],
)
def test_sample_size_is_the_ceiling_of_rate_times_population(population: int, rate: str, expected: int) -> None:
    assert sample_size(population, Decimal(rate)) == expected


@pytest.mark.parametrize("rate", [Decimal(0), Decimal("-0.1"), Decimal("1.01"), Decimal("NaN"), Decimal("Infinity")])
def test_a_rate_outside_zero_to_one_is_refused(rate: Decimal) -> None:
    with pytest.raises(AuditDrawError):
        draw(ROOT, 1, "r", CERTIFICATES, rate)


def test_a_float_rate_is_refused() -> None:
    with pytest.raises(AuditDrawError):
        sample_size(10, 0.5)  # type: ignore[arg-type]


def test_rate_one_takes_every_certificate_and_an_empty_population_none() -> None:
    assert set(draw(ROOT, 9, "r", CERTIFICATES, Decimal(1)).sample) == set(CERTIFICATES)
    assert draw(ROOT, 9, "r", [], Decimal("0.5")).sample == ()


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(AuditDrawError):
        draw(ROOT, 1, "r", ["a", "b", "a"], Decimal("0.5"))
    with pytest.raises(AuditDrawError):
        draw(ROOT.hex().encode(), 1, "r", CERTIFICATES, Decimal("0.5"))
    with pytest.raises(AuditDrawError):
        draw(ROOT, 2**64, "r", CERTIFICATES, Decimal("0.5"))


def test_the_round_records_the_method_it_was_drawn_with() -> None:
    assert draw(ROOT, 1, "r", CERTIFICATES, Decimal("0.1")).method == METHOD
    assert "SHA-256" in METHOD and "8-byte big-endian" in METHOD
