"""Gateway overhead and idle memory.

    .venv/bin/python bench/gateway_bench.py [--seconds 10] [--rounds 3] [--processes]

The same authenticated GET (`/v1/whoami`, which verifies the token and answers) is sent by wrk with
16 connections direct to the registry and through the gateway, alternating, several rounds in one
run. Reports the median of each, the throughput ratio and the added median latency, and the
resident memory of the idle `lingtan serve` process. With --processes every service and the gateway
run in processes of their own (`lingtan serve --processes`), as deployed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import running_platform, wrk  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", action="store_true")
    args = parser.parse_args()
    with running_platform(serve_args=["--processes"] if args.processes else None) as platform:
        time.sleep(2)
        idle_mb = platform.rss_mb()
        client = platform.client("org:bench", "registry:read")
        headers = {"Authorization": f"Bearer {platform.token(client)}"}
        direct_url = "http://127.0.0.1:8002/v1/whoami"
        gateway_url = f"{platform.url}/registry/v1/whoami"
        wrk(direct_url, headers, seconds=2)
        wrk(gateway_url, headers, seconds=2)
        direct, through = [], []
        for _ in range(args.rounds):
            direct.append(wrk(direct_url, headers, seconds=args.seconds))
            through.append(wrk(gateway_url, headers, seconds=args.seconds))
        # Added latency with nobody queueing: one connection, so the median is the proxy's own cost.
        direct_one, through_one = [], []
        for _ in range(args.rounds):
            direct_one.append(wrk(direct_url, headers, connections=1, seconds=args.seconds))
            through_one.append(wrk(gateway_url, headers, connections=1, seconds=args.seconds))
        d_one = statistics.median(r.median_ms for r in direct_one)
        g_one = statistics.median(r.median_ms for r in through_one)
        d_rps = statistics.median(r.requests_per_second for r in direct)
        g_rps = statistics.median(r.requests_per_second for r in through)
        d_ms = statistics.median(r.median_ms for r in direct)
        g_ms = statistics.median(r.median_ms for r in through)
        errors = sum(r.errors for r in direct + through + direct_one + through_one)
        print(f"start to ready          {platform.started_seconds:8.2f} s")
        if not args.processes:
            print(f"idle RSS lingtan serve  {idle_mb:8.1f} MB   (target <= 250 MB)")
        print(f"direct                  {d_rps:8.0f} req/s  median {d_ms:.2f} ms")
        print(f"through gateway         {g_rps:8.0f} req/s  median {g_ms:.2f} ms")
        print(f"throughput ratio        {g_rps / d_rps:8.1%}       (target >= 60%)")
        print(f"1 connection, median    {d_one:8.2f} ms direct, {g_one:.2f} ms through")
        print(f"added median latency    {g_one - d_one:8.2f} ms    at 1 connection (target <= 2 ms); "
              f"{g_ms - d_ms:.2f} ms at 16")
        print(f"non-2xx responses       {errors:8d}")


if __name__ == "__main__":
    main()
