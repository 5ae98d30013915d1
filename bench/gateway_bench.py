"""Gateway overhead, idle memory, and what junk tokens cost the gateway.

    .venv/bin/python bench/gateway_bench.py [--seconds 10] [--rounds 3] [--processes]

The same authenticated GET (`/v1/whoami`, which verifies the token and answers) is sent by wrk with
16 connections direct to the registry and through the gateway, alternating, several rounds in one
run. Reports the median of each, the throughput ratio and the added median latency, and the
resident memory of the idle `lingtan serve` process. With --processes every service and the gateway
run in processes of their own (`lingtan serve --processes`), as deployed.

Then the cost of junk, through the gateway on the same route in the same run, alternating: the valid
small token (verified once, then proxied), a small forged token (one signature check per request,
then 401) and a 1 MB junk token (refused by its length, 431). Each with 16 connections (median and
requests/s) and with one (median), sent by a small asyncio client (wrk refuses to send a header of a
megabyte), so these rows compare with each other, not with wrk's above.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import running_platform, wrk  # noqa: E402

MB = 1024 * 1024


@dataclass
class Load:
    """What one run of the raw client measured."""

    requests_per_second: float
    median_ms: float
    statuses: Counter[int]


async def _connection(host: str, port: int, request: bytes, until: float, latencies: list[float],
                      statuses: Counter[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            latencies.append(time.perf_counter() - started)
            statuses[int(head.split(b" ", 2)[1])] += 1
    finally:
        writer.close()


def load(url: str, authorization: str, connections: int, seconds: int) -> Load:
    """GET `url` with this Authorization over keep-alive connections for `seconds`, as fast as answered.

    wrk cannot be used here: it parses each request it is given, with a limit of 80 KiB of header.
    A small asyncio client sends prebuilt bytes instead, the same way for every case compared.
    """
    target = urlsplit(url)
    request = (
        f"GET {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nAuthorization: {authorization}\r\n\r\n"
    ).encode("latin-1")
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    async def run() -> None:
        until = time.perf_counter() + seconds
        host, port = target.hostname or "127.0.0.1", target.port or 80
        await asyncio.gather(*(_connection(host, port, request, until, latencies, statuses)
                               for _ in range(connections)))

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    return Load(len(latencies) / elapsed, statistics.median(latencies) * 1000, statuses)


def _forged(token: str) -> str:
    """The token with its signature's first character changed: well-formed, signed by nobody."""
    head, payload, signature = token.split(".")
    return f"{head}.{payload}.{'B' if signature[0] != 'B' else 'C'}{signature[1:]}"


def _junk(token: str, size: int) -> str:
    """A token of about `size` characters that costs a verifier the most: the real header (a known kid), the
    real claims padded (valid base64url JSON, so it is decoded and hashed whole), a forged signature."""
    head, payload, signature = _forged(token).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    json_bytes = (size - len(head) - len(signature) - 2) * 3 // 4
    pad = "x" * (json_bytes - len(json.dumps({**claims, "pad": ""})))
    encoded = base64.urlsafe_b64encode(json.dumps({**claims, "pad": pad}).encode()).decode().rstrip("=")
    return f"{head}.{encoded}.{signature}"


def _junk_rows(url: str, token: str, seconds: int, rounds: int) -> None:
    """Valid, forged and 1 MB junk tokens through the gateway, alternating, rounds in one run."""
    cases = {
        "valid small token": (f"Bearer {token}", 200),
        "forged small token": (f"Bearer {_forged(token)}", 401),
        "1 MB junk token": (f"Bearer {_junk(token, MB - len('Bearer '))}", 431),
    }
    for authorization, _status in cases.values():
        load(url, authorization, 16, 2)
    many: dict[str, list[Load]] = {name: [] for name in cases}
    one: dict[str, list[Load]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (authorization, _status) in cases.items():
            many[name].append(load(url, authorization, 16, seconds))
        for name, (authorization, _status) in cases.items():
            one[name].append(load(url, authorization, 1, seconds))
    print(f"through the gateway, GET {urlsplit(url).path}, one asyncio client:")
    for name, (authorization, status) in cases.items():
        seen = sum((r.statuses for r in many[name] + one[name]), Counter())
        assert set(seen) == {status}, f"{name}: answers {dict(seen)}, expected only {status}"
        rps = statistics.median(r.requests_per_second for r in many[name])
        ms = statistics.median(r.median_ms for r in many[name])
        ms_one = statistics.median(r.median_ms for r in one[name])
        print(f"  {name:20s} {rps:8.0f} req/s  median {ms:.2f} ms at 16 connections, {ms_one:.2f} ms at 1 "
              f"(all {status}, {len(authorization):,} bytes of Authorization)")


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
        _junk_rows(gateway_url, platform.token(client), args.seconds, args.rounds)


if __name__ == "__main__":
    main()
