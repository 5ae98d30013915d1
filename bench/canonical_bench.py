"""Benchmark: canonical_bytes beside the rfc8785-only path it replaced, on a log entry and a request body.

Run on demand (not collected by pytest):

    .venv/bin/python bench/canonical_bench.py [--repeats 200] [--number 1000]

Both serializers run in the same process, interleaved, so machine noise falls on both alike; it
prints the median per-call time of each and their ratio, after checking the bytes are the same.
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import rfc8785

from shared.canonical import _plain, canonical_bytes

ENTRY = {
    "index": 12345,
    "kind": "retirement",
    "at": "2026-12-07T04:33:12.123456Z",
    "retirement_id": "ret_01JFZ4K8W6Q2N7R3T5V9X1B2C3",
    "event_id": "evt-bench",
    "from_account": "acc_01JFZ4K8W6Q2N7R3T5V9X1B2C4",
    "unit_type": "HNCI",
    "quantity_g": 1000,
    "beneficiary": "海南国际会展论坛",
    "reason": "throughput",
    "serials": ["HNCI-B1A2B3C4-2024-000000000000001-000000000001000"],
}
BODY = {
    "event_id": "evt-bench",
    "scope": "full",
    "items": [
        {
            "category": "travel",
            "activity": f"flight-{i}",
            "quantity": Decimal("1250.5"),
            "unit": "km",
            "factor_id": "cn-air-short-haul",
            "note": "往返海口" if i % 2 else None,
            "verified": bool(i % 3),
        }
        for i in range(20)
    ],
}


def _before(value: Any) -> bytes:
    return rfc8785.dumps(_plain(value))


def _per_call_us(serialize: Callable[[Any], bytes], value: Any, number: int) -> float:
    return timeit.timeit(lambda: serialize(value), number=number) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--number", type=int, default=1000)
    args = parser.parse_args()
    print(f"{'payload':<14}{'before µs':>11}{'after µs':>11}{'ratio':>8}")
    for name, value in (("log entry", ENTRY), ("request body", BODY)):
        assert canonical_bytes(value) == _before(value)
        before: list[float] = []
        after: list[float] = []
        for _ in range(args.repeats):
            before.append(_per_call_us(_before, value, args.number))
            after.append(_per_call_us(canonical_bytes, value, args.number))
        old, new = statistics.median(before), statistics.median(after)
        print(f"{name:<14}{old:>11.2f}{new:>11.2f}{old / new:>7.1f}x")


if __name__ == "__main__":
    main()
