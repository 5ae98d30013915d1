"""Gateway overhead and idle memory.

    .venv/bin/python bench/gateway_bench.py [--seconds 10] [--rounds 3]

The same authenticated GET (`/v1/whoami`, which verifies the token and answers) is sent by wrk with
16 connections direct to the registry and through the gateway, alternating, several rounds in one
run. Reports the median of each, the throughput ratio and the added median latency, and the
resident memory of the idle `lingtan serve` process.
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
    args = parser.parse_args()
    with running_platform() as platform:
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
        d_rps = statistics.median(r.requests_per_second for r in direct)
        g_rps = statistics.median(r.requests_per_second for r in through)
        d_ms = statistics.median(r.median_ms for r in direct)
        g_ms = statistics.median(r.median_ms for r in through)
        errors = sum(r.errors for r in direct + through)
        print(f"start to ready          {platform.started_seconds:8.2f} s")
        print(f"idle RSS lingtan serve  {idle_mb:8.1f} MB   (target <= 250 MB)")
        print(f"direct                  {d_rps:8.0f} req/s  median {d_ms:.2f} ms")
        print(f"through gateway         {g_rps:8.0f} req/s  median {g_ms:.2f} ms")
        print(f"throughput ratio        {g_rps / d_rps:8.1%}       (target >= 60%)")
        print(f"added median latency    {g_ms - d_ms:8.2f} ms    (target <= 2 ms)")
        print(f"non-2xx responses       {errors:8d}")


if __name__ == "__main__":
    main()
