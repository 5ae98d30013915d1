"""Accounting: a 10,000-line inventory written and returned; the estimate endpoint's throughput.

    .venv/bin/python bench/accounting_bench.py [--lines 10000] [--runs 7] [--seconds 10] [--rounds 3]

Starts `lingtan serve` on a scratch data directory (the gateway's body limit raised to 16 MiB so a
whole inventory passes it), creates a held event, then:

1. PUTs an inventory of `--lines` activity lines (five source types, electricity included, each line
   with an evidence hash) `--runs` times, through the gateway and straight to the service, and reports
   the median wall time of each request with its whole response read (every line with its trace),
   and of reading the stored inventory back;
2. runs wrk with 16 connections against `POST /accounting/v1/estimate` (a headcount estimate plus two
   lines) and the trivial `GET /accounting/health`, alternating, `--rounds` times in one run, and
   reports the median requests per second of each.

The platform runs on its embedded SQLite databases; with LINGTAN_DATABASE_URL set (say
postgresql+psycopg://postgres@127.0.0.1:5432/bench) it runs on PostgreSQL, one schema per service.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import WrkResult, running_platform  # noqa: E402

ACCOUNTING_DIRECT = "http://127.0.0.1:8001"
LINE_KINDS = [
    ("purchased_electricity", "MWh", "grid.cn.hainan.2022"),
    ("travel", "pkm", "transport.hsr.cn.full-process.2019"),
    ("catering", "meal", "catering.meal.proxy"),
    ("fixed_combustion", "Nm3", "fuel.natural-gas.gbt32151"),
    ("materials", "kg", "material.paper.virgin.desnz-2025"),
]
ESTIMATE = {
    "lines": [
        {"category": "purchased_electricity", "quantity": "8500", "unit": "kWh", "factor_id": "grid.cn.shandong.2022"},
        {"category": "materials", "quantity": "120", "unit": "kg", "factor_id": "material.paper.virgin.desnz-2025"},
    ],
    "participants": {
        "headcount": 320,
        "days": 1,
        "origin_mix": [
            {"mode": "high_speed_rail", "share": "0.75", "one_way_km": "400"},
            {"mode": "car", "share": "0.25", "one_way_km": "30"},
        ],
    },
}


def inventory(lines: int) -> dict[str, Any]:
    """An inventory of `lines` measured lines with evidence hashes."""
    body = []
    for index in range(lines):
        category, unit, factor = LINE_KINDS[index % len(LINE_KINDS)]
        body.append(
            {
                "category": category,
                "quantity": f"{(index * 7919) % 100_000 + 1}.{index % 100:02d}",
                "unit": unit,
                "factor_id": factor,
                "evidence_sha256": f"{index:064x}",
                "data_quality": "measured",
                "phase": "holding",
            }
        )
    return {"lines": body, "actual_participants": 28000}


def timed_puts(url: str, headers: dict[str, str], body: bytes, runs: int) -> tuple[list[float], int]:
    """Wall times (ms) of `runs` PUTs, each with its response read whole, and the response size."""
    times, size = [], 0
    with httpx.Client(timeout=120, headers={**headers, "Content-Type": "application/json"}) as client:
        for _ in range(runs):
            started = time.perf_counter()
            response = client.put(url, content=body)
            size = len(response.content)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"PUT answered {response.status_code}: {response.text[:300]}")
    return times, size


def _ms(text: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s)", text)
    assert found is not None, text
    return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]


def wrk(url: str, seconds: int, connections: int = 16, body: dict[str, Any] | None = None) -> WrkResult:
    """wrk with `connections` connections on one thread; POSTs `body` as JSON when given."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body is not None:
            script.write('wrk.method = "POST"\n')
            script.write(f"wrk.body = {json.dumps(json.dumps(body))}\n")
            script.write('wrk.headers["Content-Type"] = "application/json"\n')
    out = subprocess.run([*args, "-s", script.name, url], check=True, capture_output=True, text=True).stdout
    Path(script.name).unlink()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    # Anchored: the thread stats line can end in "...50%" too (its stdev share), as in "72.50%".
    median = re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE)
    assert rps is not None and median is not None, out
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    return WrkResult(float(rps[1]), _ms(median[1]), errors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with running_platform({"LINGTAN_GATEWAY_MAX_BODY_BYTES": str(16 * 1024 * 1024)}) as platform:
        client = platform.client("org:bench", "events:read events:write")
        headers = {"Authorization": f"Bearer {platform.token(client)}"}
        event = httpx.post(
            f"{platform.url}/accounting/v1/events",
            headers=headers,
            json={
                "name": "Benchmark Expo",
                "organizers": ["Bench"],
                "kind": "exhibition",
                "jurisdiction": "CN-HI",
                "host_type": "government",
                "venue": "Haikou",
                "starts_at": "2026-04-13",
                "ends_at": "2026-04-16",
                "expected_participants": 30000,
            },
        ).json()
        body = json.dumps(inventory(args.lines)).encode()
        path = f"/v1/events/{event['id']}/inventory"
        timed_puts(f"{platform.url}/accounting{path}", headers, body, 2)  # warm up
        through, size = timed_puts(f"{platform.url}/accounting{path}", headers, body, args.runs)
        direct, _ = timed_puts(f"{ACCOUNTING_DIRECT}{path}", headers, body, args.runs)
        reads = []
        with httpx.Client(timeout=120, headers=headers) as reader:
            for _ in range(args.runs):
                started = time.perf_counter()
                reader.get(f"{platform.url}/accounting{path}").raise_for_status()
                reads.append((time.perf_counter() - started) * 1000)

        estimate_url = f"{platform.url}/accounting/v1/estimate"
        health_url = f"{platform.url}/accounting/health"
        wrk(estimate_url, 2, body=ESTIMATE)
        wrk(health_url, 2)
        estimates, healths = [], []
        for _ in range(args.rounds):
            estimates.append(wrk(estimate_url, args.seconds, body=ESTIMATE))
            healths.append(wrk(health_url, args.seconds))

        print(f"inventory of {args.lines} lines: request {len(body) / 1e6:.1f} MB, response {size / 1e6:.1f} MB")
        print(
            f"  PUT through gateway   median {statistics.median(through):7.0f} ms  "
            f"(min {min(through):.0f}, max {max(through):.0f}; target <= 200 ms)"
        )
        print(
            f"  PUT direct to service median {statistics.median(direct):7.0f} ms  "
            f"(min {min(direct):.0f}, max {max(direct):.0f})"
        )
        print(f"  GET it back (stored)  median {statistics.median(reads):7.0f} ms  through the gateway")
        e_rps = statistics.median(r.requests_per_second for r in estimates)
        h_rps = statistics.median(r.requests_per_second for r in healths)
        print(
            f"POST /estimate, 16 connections  {e_rps:7.0f} req/s  "
            f"median {statistics.median(r.median_ms for r in estimates):.1f} ms"
        )
        print(
            f"GET /health,    16 connections  {h_rps:7.0f} req/s  "
            f"median {statistics.median(r.median_ms for r in healths):.1f} ms"
        )
        print(f"estimate / health               {e_rps / h_rps:7.1%}")
        print(f"non-2xx responses               {sum(r.errors for r in estimates + healths):7d}")


if __name__ == "__main__":
    main()
