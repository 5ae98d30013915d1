"""Benchmark: registry write throughput on PostgreSQL beside pgbench, measured in the same run.

Run on demand (not collected by pytest):

    .venv/bin/python bench/registry_bench.py [--url postgresql://postgres@127.0.0.1:5432/postgres]
                                             [--clients 16] [--seconds 20] [--persons 2000] [--donations 20000]
                                             [--processes 1]

What it does:
1. creates two scratch databases (one for the platform, one for pgbench) and drops them at the end;
2. starts the gateway, accounting and PROCESSES registry processes (`lingtan serve`) on loopback
   ports, their databases in the scratch PostgreSQL database; clients are spread over the registry
   processes; two events are created in accounting and waited for until the registry knows them
   (every retirement and donation is checked against the registry's own read model of events);
3. retirements: CLIENTS connections retiring 1 kg at a time for SECONDS for one event, straight to
   the registry's HTTP API (tokens checked by the registry itself), each request from one of
   4 x CLIENTS funded accounts in turn;
4. a donation storm: PERSONS person accounts make DONATIONS donations of 350 g to one event,
   sent over CLIENTS connections;
5. pgbench's built-in TPC-B-like script with the same client count (`pgbench -c CLIENTS -j 2 -T
   SECONDS` on a fresh `pgbench -i` database) just before each workload, and prints the ratios,
   with the registry processes' CPU time per request (to tell CPU-bound from waiting).

The load comes from wrk (Debian package `wrk`), a C client like pgbench's own, two threads like
`pgbench -j 2`: a Python client would spend a core's share of the two the registry and PostgreSQL
need, and measure itself as much as the registry. With `--client python` the same requests come
from CLIENTS Python threads instead (httpx), as the figures before wrk were measured.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
LINGTAN = str(ROOT / ".venv" / "bin" / "lingtan")
SCOPES = "registry:admin registry:issue registry:read registry:transfer registry:retire events:write"


def free_port() -> int:
    """An unused loopback port."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pgbench_binary() -> str:
    """pgbench on PATH or in the PostgreSQL install."""
    found = shutil.which("pgbench") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))), None)
    if found is None:
        raise SystemExit("pgbench not found")
    return found


def run_pgbench(admin_dsn: str, clients: int, seconds: int) -> float:
    """TPC-B-like tps on a fresh scratch database, which is dropped afterwards."""
    name = f"lingtan_pgbench_{secrets.token_hex(3)}"
    url = make_url(admin_dsn)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = [
            pgbench_binary(),
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
        ]
        subprocess.run([*base, "-i", "-q", name], check=True, capture_output=True)
        done = subprocess.run(
            [*base, "-c", str(clients), "-j", "2", "-T", str(seconds), name], check=True, capture_output=True, text=True
        )
        match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
        if match is None:
            raise SystemExit(f"cannot read pgbench's tps:\n{done.stdout}")
        return float(match[1])
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Running:
    """The started processes: the gateway's URL, the registries' URLs and PIDs, the environment."""

    gateway: str
    registries: list[str]
    pids: list[int]
    env: dict[str, str]
    events: dict[str, str] = field(default_factory=dict)  # workload -> event id

    def cpu_seconds(self) -> float:
        """User + system CPU time the registry processes have used so far."""
        total = 0.0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total


@contextlib.contextmanager
def platform(database_url: str, workdir: Path, registries: int) -> Iterator[Running]:
    """The gateway and ``registries`` registry processes on one database."""
    gateway_port, accounting_port = free_port(), free_port()
    registry_ports = [free_port() for _ in range(registries)]
    gateway = f"http://127.0.0.1:{gateway_port}"
    env = {
        **os.environ,
        "LINGTAN_DATABASE_URL": database_url,
        "LINGTAN_DATA_DIR": str(workdir),
        "LINGTAN_ISSUER": gateway,
        "LINGTAN_PUBLIC_URL": gateway,
        "LINGTAN_JWKS_URL": f"{gateway}/.well-known/jwks.json",
        "LINGTAN_TOKEN_URL": f"{gateway}/oauth/token",
        "LINGTAN_REGISTRY_URL": f"http://127.0.0.1:{registry_ports[0]}",
        "LINGTAN_ACCOUNTING_URL": f"http://127.0.0.1:{accounting_port}",
        "LINGTAN_SECRET_KEY": secrets.token_hex(16),
        "LINGTAN_SERVICE_CLIENT_SECRET": secrets.token_hex(16),
        "LINGTAN_LOG_LEVEL": "WARNING",
    }
    processes = []
    try:
        started = [("gateway", gateway_port), ("accounting", accounting_port)]
        for service, port in started + [("registry", p) for p in registry_ports]:
            log = open(workdir / f"{service}-{port}.log", "w")  # noqa: SIM115 - closed with the process
            processes.append(
                (
                    subprocess.Popen(
                        [LINGTAN, "serve", service, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
                    ),
                    log,
                )
            )
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"{service} did not start; see {log.name}")
                time.sleep(0.2)
        yield Running(
            gateway, [f"http://127.0.0.1:{p}" for p in registry_ports], [p.pid for p, _ in processes[2:]], env
        )
    finally:
        for process, log in processes:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def token(gateway: str, env: dict[str, str]) -> str:
    """Register a client with every registry scope and get its access token."""
    created = subprocess.run(
        [LINGTAN, "client", "create", "--name", "bench", "--owner", "org:bench", "--scope", SCOPES],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    client = json.loads(created.stdout)
    response = httpx.post(
        f"{gateway}/oauth/token",
        data={"grant_type": "client_credentials", "scope": SCOPES},
        auth=(client["client_id"], client["client_secret"]),
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def create_events(gateway: str, headers: dict[str, str], workloads: tuple[str, ...]) -> dict[str, str]:
    """One event per workload, created in accounting and waited for until the registry knows it."""
    ends = date.today() - timedelta(days=3)
    events: dict[str, str] = {}
    for workload in workloads:
        body = {
            "name": f"bench {workload}",
            "organizers": ["bench"],
            "kind": "conference",
            "jurisdiction": "CN-HI",
            "host_type": "government",
            "venue": "Haikou",
            "starts_at": (ends - timedelta(days=1)).isoformat(),
            "ends_at": ends.isoformat(),
            "expected_participants": 800,
            "accepts_donations": True,
        }
        with httpx.Client(base_url=gateway, headers=headers, timeout=60) as http:
            event_id = str(post(http, "/accounting/v1/events", body)["id"])
            deadline = time.monotonic() + 30
            while http.get(f"/registry/v1/events/{event_id}").status_code != 200:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the registry did not learn of event {event_id}")
                time.sleep(0.05)
        events[workload] = event_id
    return events


def post(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST and insist on 201."""
    response = http.post(path, json=body)
    if response.status_code != 201:
        raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
    answer: dict[str, Any] = response.json()
    return answer


def parallel(
    registries: list[str], headers: dict[str, str], clients: int, jobs: list[tuple[str, dict[str, Any]]]
) -> tuple[float, int]:
    """Run POST jobs on ``clients`` threads, each with one connection to one registry process."""
    pending: queue.SimpleQueue[tuple[str, dict[str, Any]]] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    failures = 0
    lock = threading.Lock()

    def worker(number: int) -> None:
        nonlocal failures
        with httpx.Client(base_url=registries[number % len(registries)], headers=headers, timeout=60) as http:
            while True:
                try:
                    path, body = pending.get_nowait()
                except queue.Empty:
                    return
                if http.post(path, json=body).status_code != 201:
                    with lock:
                        failures += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return time.perf_counter() - started, failures


def _project(registry: str, headers: dict[str, str], category: str) -> str:
    with httpx.Client(base_url=registry, headers=headers, timeout=60) as http:
        project = post(
            http,
            "/v1/projects",
            {
                "name": f"bench {category}",
                "code": f"B{secrets.token_hex(4).upper()}",
                "unit_type": "HNCI",
                "province": "CN-HI",
                "category": category,
                "methodology": "bench",
            },
        )
    return str(project["id"])


def _funded_accounts(
    registries: list[str], headers: dict[str, str], clients: int, count: int, kind: str, grams: int, category: str
) -> list[str]:
    project = _project(registries[0], headers, category)
    opened: list[str] = []
    lock = threading.Lock()

    def open_one(i: int) -> None:
        with httpx.Client(base_url=registries[i % len(registries)], headers=headers, timeout=60) as http:
            account = post(http, "/v1/accounts", {"owner": "org:bench", "kind": kind, "name": f"{kind} {i}"})
            post(
                http,
                "/v1/issuances",
                {"project_id": project, "account_id": account["id"], "vintage": 2024, "quantity": grams},
            )
            with lock:
                opened.append(account["id"])

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(open_one, range(count)))
    return opened


Measured = tuple[float, int, float]  # per second, failed requests, registry CPU ms per request

# Each wrk thread takes the bodies whose position is its own slot modulo the thread count, in turn,
# so concurrent requests of one thread move different accounts; a thread stops after QUOTA answers.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.path = "%(path)s"
wrk.headers["Content-Type"] = "application/json"
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local threads, quota = %(threads)d, %(quota)d
local made = 0
function setup(thread)
  thread:set("slot", made)
  made = made + 1
end
local sent, answered = 0, 0
function request()
  local mine = math.floor((#bodies - slot - 1) / threads) + 1
  local body = bodies[slot + threads * (sent %% mine) + 1]
  sent = sent + 1
  return wrk.format(nil, nil, nil, body)
end
function response(status, headers, body)
  answered = answered + 1
  if quota > 0 and answered >= quota then wrk.thread:stop() end
end
"""


def _wrk_seconds(value: str, unit: str) -> float:
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}[unit]


def wrk_posts(
    bases: list[str],
    headers: dict[str, str],
    path: str,
    bodies: list[dict[str, Any]],
    clients: int,
    seconds: int,
    total: int = 0,
    finished: Callable[[], bool] | None = None,
) -> tuple[float, int, int]:
    """POST ``bodies`` in turn over ``clients`` wrk connections spread over ``bases`` for ``seconds``,
    or with ``total``, each wrk thread stopping after its share of it, until ``finished()`` says
    all are in (wrk itself would wait out its duration): answers per second, failed, answers."""
    threads = 2
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for number, base in enumerate(bases):
            share = bodies[number :: len(bases)]
            body_file = Path(scratch) / f"bodies-{number}.jsonl"
            body_file.write_text("".join(json.dumps(b) + "\n" for b in share))
            script = Path(scratch) / f"load-{number}.lua"
            quota = -(-total // (threads * len(bases))) if total else 0
            script.write_text(WRK_SCRIPT % {"path": path, "bodies": body_file, "threads": threads, "quota": quota})
            connections = max(threads, clients // len(bases))
            args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
            for name, value in headers.items():
                args += ["-H", f"{name}: {value}"]
            runs.append(subprocess.Popen([*args, base], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        if finished is not None:
            while not finished() and any(run.poll() is None for run in runs):
                time.sleep(0.05)
            for run in runs:
                run.send_signal(signal.SIGINT)  # wrk stops and reports what it did until now
        outputs = [run.communicate()[0] for run in runs]
    rate, failed, answered = 0.0, 0, 0
    for out in outputs:
        done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", out)
        if done is None:
            raise SystemExit(f"cannot read wrk's output:\n{out}")
        rate += int(done[1]) / _wrk_seconds(done[2], done[3])
        answered += int(done[1])
        failed += sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
        failed += sum(int(n) for n in re.findall(r"timeout (\d+)", out))
    return rate, failed, answered


def retire_loop(
    bases: list[str], headers: dict[str, str], accounts: list[str], seconds: int, event_id: str
) -> tuple[float, int, list[float]]:
    """One client thread per account retiring 1 kg at a time for ``seconds``, spread over ``bases``
    (registry URLs, or the gateway's /registry): per second, failed requests, each success's ms."""
    done, failures, lock = 0, 0, threading.Lock()
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    def worker(number: int) -> None:
        nonlocal done, failures
        body = {
            "event_id": event_id,
            "from_account": accounts[number],
            "quantity": 1000,
            "unit_type": "HNCI",
            "beneficiary": "bench",
            "reason": "throughput",
        }
        ok = bad = 0
        mine: list[float] = []
        with httpx.Client(base_url=bases[number % len(bases)], headers=headers, timeout=60) as http:
            while time.perf_counter() < stop:
                sent = time.perf_counter()
                if http.post("/v1/retirements", json=body).status_code == 201:
                    ok += 1
                    mine.append((time.perf_counter() - sent) * 1000)
                else:
                    bad += 1
        with lock:
            done, failures = done + ok, failures + bad
            latencies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(len(accounts)) as pool:
        list(pool.map(worker, range(len(accounts))))
    return done / (time.perf_counter() - started), failures, latencies


def retirements(running: Running, headers: dict[str, str], clients: int, seconds: int, client: str) -> Measured:
    """Retirements per second: 1 kg at a time, from 4 accounts per client in turn (wrk), or each
    Python client thread from its own account."""
    count = clients * 4 if client == "wrk" else clients
    accounts = _funded_accounts(running.registries, headers, clients, count, "organization", 10**12, "forestry")
    cpu = running.cpu_seconds()
    if client == "python":
        rate, failures, latencies = retire_loop(
            running.registries, headers, accounts, seconds, running.events["retirements"]
        )
        answered = len(latencies) + failures
    else:
        bodies = [
            {
                "event_id": running.events["retirements"],
                "from_account": account,
                "quantity": 1000,
                "unit_type": "HNCI",
                "beneficiary": "bench",
                "reason": "throughput",
            }
            for account in accounts
        ]
        rate, failures, answered = wrk_posts(running.registries, headers, "/v1/retirements", bodies, clients, seconds)
    return rate, failures, (running.cpu_seconds() - cpu) / max(1, answered) * 1000


def storm(
    running: Running, headers: dict[str, str], clients: int, persons: int, donations: int, client: str
) -> Measured:
    """Donations per second: ``persons`` person accounts donating 350 g each time to one event."""
    grams = 350 * (donations // persons + 1)
    event_id = running.events["storm"]
    opened = _funded_accounts(running.registries, headers, clients, persons, "person", grams, "other")
    cpu = running.cpu_seconds()
    if client == "python":
        jobs = [
            ("/v1/donations", {"event_id": event_id, "from_account": opened[i % persons], "quantity": 350})
            for i in range(donations)
        ]
        elapsed, failures = parallel(running.registries, headers, clients, jobs)
        rate = donations / elapsed
    else:
        # Each person's account is its wrk thread's only, in turn: at most one more donation than planned.
        bodies = [{"event_id": event_id, "from_account": account, "quantity": 350} for account in opened]
        with psycopg.connect(make_url(running.env["LINGTAN_DATABASE_URL"]).render_as_string(False)) as db:

            def log_size() -> int:
                # One row, whatever the load: counting the event's retirements at every poll would
                # itself cost the database a scan of a growing table.
                found = db.execute("SELECT size FROM registry.log_state")
                db.commit()
                return int(found.fetchone()[0])  # type: ignore[index]

            before = log_size()
            progress = {"count": -1, "since": time.monotonic()}

            def finished() -> bool:
                """Every donation is in the log, or none came in for 5 s (refused ones leave the threads
                done early)."""
                count = log_size() - before
                if count != progress["count"]:
                    progress.update(count=count, since=time.monotonic())
                return count >= donations or time.monotonic() - progress["since"] > 5

            rate, failures, answered = wrk_posts(
                running.registries, headers, "/v1/donations", bodies, clients, 3600, donations, finished
            )
        return rate, failures, (running.cpu_seconds() - cpu) / max(1, answered) * 1000
    return rate, failures, (running.cpu_seconds() - cpu) / donations * 1000


def main() -> None:
    """Run everything and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--donations", type=int, default=20000)
    parser.add_argument("--processes", type=int, default=1, help="registry processes the clients are spread over")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk", help="what sends the requests")
    args = parser.parse_args()
    if args.client == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk not found: install it (apt-get install wrk), or pass --client python")
    admin = make_url(args.url).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    name = f"lingtan_bench_{secrets.token_hex(3)}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    results: list[tuple[str, float, float, int, float]] = []
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        with tempfile.TemporaryDirectory() as workdir, platform(url, Path(workdir), args.processes) as running:
            headers = {"Authorization": f"Bearer {token(running.gateway, running.env)}"}
            running.events.update(create_events(running.gateway, headers, ("retirements", "storm")))
            pg = run_pgbench(admin_dsn, args.clients, args.seconds)
            rate, failures, cpu_ms = retirements(running, headers, args.clients, args.seconds, args.client)
            results.append((f"retirements, {args.clients} clients", rate, pg, failures, cpu_ms))
            pg = run_pgbench(admin_dsn, args.clients, args.seconds)
            rate, failures, cpu_ms = storm(running, headers, args.clients, args.persons, args.donations, args.client)
            label = f"donation storm ({args.persons} persons, {args.donations} donations)"
            results.append((label, rate, pg, failures, cpu_ms))
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(
        f"registry processes: {args.processes}, clients: {args.clients} ({args.client}), "
        f"load average: {os.getloadavg()[0]:.1f}"
    )
    print(f"{'workload':<52} | {'per s':>8} | {'pgbench tps':>11} | {'ratio':>6} | failed | registry CPU ms/req")
    print("-" * 116)
    for label, rate, pg, failures, cpu_ms in results:
        print(f"{label:<52} | {rate:>8.1f} | {pg:>11.1f} | {rate / pg:>6.1%} | {failures:>6} | {cpu_ms:.1f}")
    print(
        json.dumps(
            {
                label: {
                    "per_second": round(rate, 1),
                    "pgbench_tps": round(pg, 1),
                    "ratio": round(rate / pg, 3),
                    "failed": failures,
                }
                for label, rate, pg, failures, _ in results
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
