"""The public event list and an event page beside the health endpoint, with 16 connections.

    .venv/bin/python bench/disclosure_bench.py [--seconds 10] [--rounds 3]

Starts `lingtan serve --demo` on a scratch data dir, waits for the demo's events to reach
disclosure, then runs wrk through the gateway against `/disclosure/health`, the public event list
and one event page: plain, and revalidating with the ETag a client cache holds (If-None-Match).
Reports medians of the rounds and each endpoint's throughput as a share of the health endpoint's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import running_platform, wrk  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with running_platform(port=18100, serve_args=["--demo"]) as platform:
        deadline = time.monotonic() + 180
        events: list[dict[str, object]] = []
        while time.monotonic() < deadline and len(events) < 3:
            time.sleep(1)
            events = httpx.get(f"{platform.url}/disclosure/v1/events").json().get("items", [])
        if len(events) < 3:
            raise SystemExit("the demo did not reach disclosure")
        base = f"{platform.url}/disclosure"
        event_url = f"{base}/v1/events/{events[0]['id']}"
        targets = {
            "health": (f"{base}/health", {}),
            "event list": (f"{base}/v1/events", {}),
            "event page": (event_url, {}),
            "event list, revalidated": (f"{base}/v1/events",
                                        {"If-None-Match": httpx.get(f"{base}/v1/events").headers["etag"]}),
            "event page, revalidated": (event_url, {"If-None-Match": httpx.get(event_url).headers["etag"]}),
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, (url, headers) in targets.items():
                r = wrk(url, headers, seconds=args.seconds)
                results[name].append((r.requests_per_second, r.median_ms))
        health = statistics.median(rps for rps, _ in results["health"])
        print(f"{'endpoint':28} {'req/s':>8} {'median ms':>10} {'vs health':>10}")
        for name, rows in results.items():
            rps = statistics.median(r for r, _ in rows)
            ms = statistics.median(m for _, m in rows)
            print(f"{name:28} {rps:8.0f} {ms:10.2f} {rps / health:10.0%}")


if __name__ == "__main__":
    main()
