"""The whole platform as separate processes on PostgreSQL: start to ready, memory, retirements.

    .venv/bin/python bench/platform_bench.py [--url postgresql://postgres@127.0.0.1:5432/postgres]
                                             [--clients 16] [--seconds 20] [--rounds 2]

What it does, in one run:
1. creates a scratch database and starts `lingtan serve --processes` on it (every service and the
   gateway in processes of their own, each service in its own schema), timing start to ready: from
   the command to the runner's ready line, every service having answered /health/ready;
2. reads the resident memory of every process (the runner, each service, their workers) idle;
3. retirements through the gateway: CLIENTS threads each retiring 1 kg at a time from an account of
   their own for SECONDS, alternating with pgbench's TPC-B-like script at the same client count on a
   scratch database of its own, ROUNDS times; prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry_bench import (  # noqa: E402
    LINGTAN,
    _funded_accounts,
    create_events,
    free_port,
    retire_loop,
    run_pgbench,
    token,
)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def _memory(runner: int, pids: dict[str, int]) -> list[tuple[str, float]]:
    """(process, RSS MB) for the runner, each service's main process and each of its workers."""
    rows = [("runner", _rss_mb(runner))]
    for service, pid in pids.items():
        rows.append((service, _rss_mb(pid)))
        workers = 0
        for child in sorted(_children(pid)):
            # uvicorn's workers are spawned processes; multiprocessing adds its resource tracker.
            if b"resource_tracker" in Path(f"/proc/{child}/cmdline").read_bytes():
                rows.append((f"{service} resource tracker", _rss_mb(child)))
            else:
                workers += 1
                rows.append((f"{service} worker {workers}", _rss_mb(child)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", action="append", default=[], metavar="SERVICE=N",
                        help="passed to `lingtan serve --processes --workers`")
    args = parser.parse_args()
    admin = make_url(args.url).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    name = f"lingtan_platform_{secrets.token_hex(3)}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            env = {
                **os.environ,
                "LINGTAN_DATABASE_URL": admin.set(database=name).render_as_string(hide_password=False),
                "LINGTAN_DATA_DIR": workdir,
                "LINGTAN_SECRET_KEY": secrets.token_hex(16),
                "LINGTAN_SERVICE_CLIENT_SECRET": secrets.token_hex(16),
                "LINGTAN_LOG_LEVEL": "WARNING",
                "LINGTAN_GATEWAY_RATE_PER_SECOND": "1000000",
                "LINGTAN_GATEWAY_RATE_BURST": "1000000",
            }
            with open(Path(workdir) / "platform.log", "w") as log:  # noqa: PTH123
                started = time.perf_counter()
                workers = [arg for w in args.workers for arg in ("--workers", w)]
                runner = subprocess.Popen([LINGTAN, "serve", "--processes", "--port", str(port), *workers], env=env,
                                          cwd=workdir, stdout=subprocess.PIPE, stderr=log, text=True)
                try:
                    assert runner.stdout is not None
                    line = runner.stdout.readline()
                    if not line:
                        raise SystemExit(f"the platform did not start; see {log.name}")
                    ready_seconds = time.perf_counter() - started
                    summary = json.loads(line)
                    gateway = summary["gateway"]
                    time.sleep(3)  # idle: let start-up garbage settle before reading memory
                    memory = _memory(runner.pid, summary["pids"])
                    env["LINGTAN_ISSUER"] = gateway
                    headers = {"Authorization": f"Bearer {token(gateway, env)}"}
                    accounts = _funded_accounts([f"{gateway}/registry"], headers, args.clients, args.clients,
                                                "organization", 10**12, "forestry")
                    event_id = create_events(gateway, headers, ("retirements",))["retirements"]
                    retire_loop([f"{gateway}/registry"], headers, accounts, 3, event_id)  # warm every path once
                    rates, failures, tps, latencies = [], 0, [], []
                    for _ in range(args.rounds):
                        tps.append(run_pgbench(admin_dsn, args.clients, args.seconds))
                        rate, failed, took = retire_loop(
                            [f"{gateway}/registry"], headers, accounts, args.seconds, event_id
                        )
                        rates.append(rate)
                        failures += failed
                        latencies += took
                finally:
                    runner.send_signal(signal.SIGTERM)
                    runner.wait(timeout=60)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    rate, pg = statistics.median(rates), statistics.median(tps)
    print(f"load average {os.getloadavg()[0]:.1f}; clients {args.clients}; rounds {args.rounds} of {args.seconds} s; "
          f"workers {' '.join(args.workers) or 'default'}")
    print(f"start to ready            {ready_seconds:8.1f} s")
    for process, mb in memory:
        print(f"RSS {process:<28}{mb:8.1f} MB")
    print(f"RSS all processes               {sum(mb for _, mb in memory):8.1f} MB")
    print(f"retirements via gateway   {rate:8.1f} /s   (rounds: {', '.join(f'{r:.1f}' for r in rates)})")
    print(f"pgbench, same clients     {pg:8.1f} tps  (rounds: {', '.join(f'{t:.1f}' for t in tps)})")
    print(f"ratio                     {rate / pg:8.1%}")
    cuts = statistics.quantiles(latencies, n=100)
    print(f"retirement latency        median {statistics.median(latencies):.1f} ms, 99th percentile {cuts[98]:.1f} ms")
    print(f"failed requests           {failures:8d}")


if __name__ == "__main__":
    main()
