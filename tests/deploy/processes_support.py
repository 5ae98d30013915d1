"""Running `lingtan serve --processes` from a test: start it, find its children, call it, stop and start
one of its services, and check its proofs with the `lingtan` command."""

from __future__ import annotations

import contextlib
import json
import os
import random
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

LINGTAN = str(Path(sys.executable).with_name("lingtan"))
SERVICES = ("accounting", "registry", "certification", "disclosure")
POSTGRES_URL = os.environ.get("LINGTAN_TEST_DATABASE_URL")
START_TIMEOUT = 240
READY_TIMEOUT = 120


@dataclass
class Runner:
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    summary: dict
    log: Path

    @property
    def gateway(self) -> str:
        return str(self.summary["gateway"])

    def service_url(self, service: str) -> str:
        return str(self.summary["services"][service])


def free_ports(count: int) -> list[int]:
    """Ports below the kernel's ephemeral range: the services' own outgoing connections (to PostgreSQL,
    to each other) take ephemeral ports and could grab a port the runner has yet to bind."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    chosen: list[int] = []
    rng = random.SystemRandom()
    while len(chosen) < count:
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in chosen:
            chosen.append(port)
    return chosen


def stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    found = stat(pid)
    return found is not None and found[0] != "Z"


def descendants(root: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := stat(int(entry.name))) is not None:
            parents[int(entry.name)] = found[1]
    found_pids: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found_pids
        found_pids |= frontier
    return found_pids


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def read_summary(process: subprocess.Popen[bytes], log: Path) -> dict:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = process.stdout.readline()
            if line:
                return json.loads(line)
        if process.poll() is not None:
            break
    raise AssertionError(f"no summary line from the runner; its log:\n{log.read_text()[-4000:]}")


def stop(runner: Runner, sig: int = signal.SIGTERM) -> int:
    if runner.process.poll() is None:
        runner.process.send_signal(sig)
    try:
        return runner.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        runner.process.kill()
        raise


def runner_environment(tmp: Path, service_ports: list[int]) -> dict[str, str]:
    """This process's environment without its LINGTAN_ settings, plus a test platform's: fresh secrets,
    data under `tmp`, the services on `service_ports`, quick outbox polling and key refreshes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINGTAN_")}
    env.update({
        "LINGTAN_ENV": "test",
        "LINGTAN_DATA_DIR": str(tmp / "var"),
        "LINGTAN_SECRET_KEY": secrets.token_hex(16),
        "LINGTAN_SERVICE_CLIENT_SECRET": secrets.token_hex(16),
        "LINGTAN_OUTBOX_POLL_SECONDS": "0.1",
        "LINGTAN_JWKS_MIN_REFRESH_SECONDS": "1",
        **{f"LINGTAN_{s.upper()}_URL": f"http://127.0.0.1:{p}" for s, p in zip(SERVICES, service_ports, strict=True)},
    })
    return env


@contextlib.contextmanager
def running(tmp: Path, schema_prefix: str) -> Iterator[Runner]:
    """`lingtan serve --processes` on free loopback ports, on PostgreSQL (a schema prefix of its own) when
    the suite runs there, stopped on exit."""
    gateway, *service_ports = free_ports(5)
    env = runner_environment(tmp, service_ports)
    if POSTGRES_URL:
        env["LINGTAN_DATABASE_URL"] = POSTGRES_URL
        env["LINGTAN_SCHEMA_PREFIX"] = f"{schema_prefix}proc{secrets.token_hex(2)}_"
    log = tmp / "runner.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen([LINGTAN, "serve", "--processes", "--port", str(gateway)], env=env, cwd=tmp,
                                   stdout=subprocess.PIPE, stderr=stderr)
    started = Runner(process, env, {}, log)
    try:
        started.summary = read_summary(process, log)
        yield started
    finally:
        if process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                stop(started)
        assert process.stdout is not None
        process.stdout.close()


def register(runner: Runner, scope: str, owner: str = "org:process-test", name: str = "process test") -> dict:
    """A client registered the way an operator does it: `lingtan client create`."""
    out = subprocess.run([LINGTAN, "client", "create", "--name", name, "--owner", owner, "--scope", scope],
                         env=runner.env, cwd=runner.log.parent, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def token(gateway: str, client_id: str, secret: str, scope: str) -> str:
    response = httpx.post(f"{gateway}/oauth/token", data={"grant_type": "client_credentials", "scope": scope},
                          auth=(client_id, secret))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def caller(runner: Runner, owner: str, scope: str) -> httpx.Client:
    """An HTTP client of the gateway holding a token of a newly registered client."""
    made = register(runner, scope, owner=owner)
    access = token(runner.gateway, made["client_id"], made["client_secret"], scope)
    return httpx.Client(base_url=runner.gateway, headers={"Authorization": f"Bearer {access}"}, timeout=30)


def run_lingtan_verify(runner: Runner, *argv: str) -> tuple[int, dict]:
    """`lingtan verify ...`: its exit code and the JSON object it printed last."""
    out = subprocess.run([LINGTAN, "verify", *argv], env=runner.env, capture_output=True, text=True, timeout=300)
    lines = out.stdout.strip().splitlines()
    assert lines, out.stderr
    return out.returncode, json.loads(lines[-1])


def lingtan_verify(runner: Runner, *argv: str) -> dict:
    """`lingtan verify ...`, which must pass."""
    code, result = run_lingtan_verify(runner, *argv)
    assert code == 0, result
    return result


def eventually(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float, what: str) -> Any:
    """Read until `done` says the value is there; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(httpx.HTTPError):
            value = read()
            if done(value):
                return value
        assert time.monotonic() < deadline, f"{what}: not within {seconds:.0f} s"
        time.sleep(0.2)


def ready(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{url}/health/ready", timeout=2).status_code == 200
    return False


def service_process(runner: Runner, service: str) -> int:
    """The process id of the runner's child that serves `service` now (it changes when started again)."""
    found = [pid for pid in descendants(runner.process.pid)
             if alive(pid) and (stat(pid) or ("", 0))[1] == runner.process.pid
             and f"lingtan.factory:{service}" in cmdline(pid)]
    assert len(found) == 1, (service, found)
    return found[0]


def refuses_connections(url: str) -> bool:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) != 0


def stop_service(runner: Runner, service: str) -> int:
    """Stop one service as an operator does, SIGTERM to its process; it stays down. Returns the old pid."""
    pid = service_process(runner, service)
    os.kill(pid, signal.SIGTERM)
    eventually(lambda: not alive(pid) and refuses_connections(runner.service_url(service)), bool, 60,
               f"{service} stopping")
    return pid


def start_stopped_services(runner: Runner, service: str) -> None:
    """SIGUSR1 to the runner starts every stopped service; wait until `service` is ready."""
    os.kill(runner.process.pid, signal.SIGUSR1)
    eventually(lambda: ready(runner.service_url(service)), bool, READY_TIMEOUT, f"{service} ready again")


def event_body(name: str, accepts_donations: bool = False) -> dict[str, Any]:
    """A Hainan forum that ended yesterday."""
    ends = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86_400 * 2))
    return {"name": name, "organizers": ["海南省生态环境厅"], "kind": "forum", "jurisdiction": "CN-HI",
            "host_type": "government", "venue": "Haikou", "starts_at": ends, "ends_at": ends,
            "expected_participants": 600, "accepts_donations": accepts_donations}


def wait_until_known(http: httpx.Client, event_id: str) -> None:
    """Wait until the registry knows the event (it arrives through accounting's outbox)."""
    eventually(lambda: http.get(f"/registry/v1/events/{event_id}").status_code, lambda s: s == 200, 30,
               f"the registry learning of {event_id}")


def known_event(http: httpx.Client, name: str) -> str:
    """Create an event through the gateway and wait until the registry knows it."""
    created = http.post("/accounting/v1/events", json=event_body(name))
    assert created.status_code == 201, created.text
    event_id = str(created.json()["id"])
    wait_until_known(http, event_id)
    return event_id


def create_and_retire(gateway: str, access: str, account: str, rounds: int) -> list[dict[str, Any]]:
    """In a process of its own: create an event, and at once retire 1 g for it, ``rounds`` times, retrying
    the retirement while the registry answers that it does not know the event yet. Every answer."""
    attempts: list[dict[str, Any]] = []
    with httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {access}"}, timeout=30) as http:
        for number in range(rounds):
            created = http.post("/accounting/v1/events", json=event_body(f"race {os.getpid()}-{number}"))
            assert created.status_code == 201, created.text
            event_id = created.json()["id"]
            body = {"event_id": event_id, "from_account": account, "quantity": 1, "unit_type": "HNCI",
                    "beneficiary": "race", "reason": "created and at once retired against"}
            key = secrets.token_hex(8)
            while True:
                answer = http.post("/registry/v1/retirements", json=body, headers={"Idempotency-Key": key})
                seen = {"event_id": event_id, "status": answer.status_code,
                        "retry_after": answer.headers.get("retry-after"), "body": answer.json()}
                attempts.append(seen)
                if answer.status_code != 404 or len(attempts) > rounds * 50:
                    break
                time.sleep(0.05)
    return attempts
