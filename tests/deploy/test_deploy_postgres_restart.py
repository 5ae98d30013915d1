"""PostgreSQL restarted under a load, with every service in a process of its own: while the database
is down every request is answered 503 with a problem document, and once it is back the services
recover on their own, losing and doubling nothing.

The platform runs on a scratch cluster started for the test, never on the shared server that other
runs use: stopping and starting the server is the point of the test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from tests.deploy.processes_support import (
    descendants,
    free_ports,
    read_summary,
    runner_environment,
    wait_until_known,
)

POSTGRES_URL = os.environ.get("LINGTAN_TEST_DATABASE_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="runs with the PostgreSQL tests (LINGTAN_TEST_DATABASE_URL unset)"),
]

LINGTAN = str(Path(sys.executable).with_name("lingtan"))
PG_USER = "postgres"
# A request may take this long at most, outage or not; anything slower counts as hanging.
REQUEST_TIMEOUT = 15.0
RECOVERY_DEADLINE = 30.0
QUANTITY = 7
ISSUED = 1_000_000
PROBLEM_MEDIA_TYPE = "application/problem+json"


def _postgres_bin_dir() -> Path | None:
    """The newest directory holding initdb, pg_ctl and postgres of one installation."""
    local = Path("/usr/local/bin/initdb")
    candidates = [local.resolve().parent] if local.exists() else []
    versioned = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versioned, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


@dataclass
class ScratchCluster:
    """A PostgreSQL cluster of this test's own, in a temporary directory owned by the postgres user."""

    bin_dir: Path
    root: Path
    port: int
    as_postgres: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        out = subprocess.run([*self.as_postgres, *argv], capture_output=True, text=True, timeout=60, check=False)
        assert out.returncode == 0, f"{argv[0]} failed: {out.stdout}{out.stderr}"

    def init(self) -> None:
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.root / "data"), "-A", "trust", "-U", PG_USER,
                  "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        # fsync off: the cluster is thrown away, and a restart here is a clean shutdown, not a crash.
        options = f"-k {self.root} -c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-w", "-t", "60", "-m", mode, "stop")

    def running(self) -> bool:
        return (self.root / "data" / "postmaster.pid").exists()


@pytest.fixture
def scratch_postgres() -> Iterator[ScratchCluster]:
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl, postgres) to start a scratch cluster")
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: run the cluster as the postgres user instead.
        try:
            user = pwd.getpwnam(PG_USER)
        except KeyError:
            pytest.skip(f"running as root and there is no {PG_USER!r} OS user to run a scratch cluster as")
        if shutil.which("runuser") is None:
            pytest.skip(f"running as root and runuser is missing to run a scratch cluster as {PG_USER!r}")
        as_postgres = ["runuser", "-u", PG_USER, "--"]
    root = Path(tempfile.mkdtemp(prefix="lingtan-pg-"))
    if as_postgres:
        os.chown(root, user.pw_uid, user.pw_gid)
    cluster = ScratchCluster(bin_dir, root, free_ports(1)[0], as_postgres)
    try:
        reachable = subprocess.run([*as_postgres, "test", "-w", str(root)], check=False).returncode == 0
        if not reachable:
            pytest.skip(f"the {PG_USER} user cannot write to the temporary directory {root.parent}")
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Platform:
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path
    summary: dict = field(default_factory=dict)

    @property
    def gateway(self) -> str:
        return self.summary["gateway"]


@pytest.fixture
def platform(scratch_postgres: ScratchCluster, tmp_path: Path) -> Iterator[Platform]:
    """`lingtan serve --processes` on the scratch cluster."""
    gateway, *service_ports = free_ports(5)
    env = runner_environment(tmp_path, service_ports)
    env["LINGTAN_DATABASE_URL"] = scratch_postgres.url
    env["LINGTAN_SCHEMA_PREFIX"] = f"restart{secrets.token_hex(2)}_"
    log = tmp_path / "platform.log"
    with log.open("wb") as stderr:
        # One worker each: a restart of the database reaches every worker alike, and fewer start faster.
        process = subprocess.Popen([LINGTAN, "serve", "--processes", "--port", str(gateway),
                                    "--workers", "gateway=1", "--workers", "disclosure=1"],
                                   env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=stderr)
    running = Platform(process, env, log)
    try:
        running.summary = read_summary(process, log)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert process.stdout is not None
        process.stdout.close()


def _register(platform: Platform, *clients: tuple[str, str]) -> list[dict]:
    """Register (owner, scope) clients with `lingtan client create`, side by side."""
    running = [subprocess.Popen([LINGTAN, "client", "create", "--name", "restart test", "--owner", owner,
                                 "--scope", scope], env=platform.env, cwd=platform.log.parent, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for owner, scope in clients]
    made = []
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        made.append(json.loads(out))
    return made


def _caller(platform: Platform, client: dict, scope: str) -> httpx.Client:
    granted = httpx.post(f"{platform.gateway}/oauth/token", data={"grant_type": "client_credentials", "scope": scope},
                         auth=(client["client_id"], client["client_secret"]), timeout=REQUEST_TIMEOUT)
    assert granted.status_code == 200, granted.text
    return httpx.Client(base_url=platform.gateway, timeout=REQUEST_TIMEOUT,
                        headers={"Authorization": f"Bearer {granted.json()['access_token']}"})


@dataclass
class Outcome:
    """What one request got: an answer (status, media type, body) or a transport error."""

    what: str
    started: float
    status: int | None = None
    media_type: str = ""
    body: object = None
    error: str | None = None
    key: str | None = None

    def is_problem_503(self) -> bool:
        body = self.body if isinstance(self.body, dict) else {}
        return (self.status == 503 and self.media_type == PROBLEM_MEDIA_TYPE
                and bool(body.get("type")) and bool(body.get("title")) and body.get("status") == 503)


def _send(http: httpx.Client, what: str, method: str, url: str, key: str | None = None, **kwargs: object) -> Outcome:
    outcome = Outcome(what, time.monotonic(), key=key)
    headers = {"Idempotency-Key": key} if key else None
    try:
        response = http.request(method, url, headers=headers, **kwargs)
    except httpx.HTTPError as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
        return outcome
    outcome.status = response.status_code
    outcome.media_type = response.headers.get("content-type", "").split(";")[0]
    with contextlib.suppress(ValueError):
        outcome.body = response.json()
    return outcome


class Load:
    """Reader and writer threads that keep calling until stopped, recording every outcome."""

    def __init__(self, gateway: str, headers: httpx.Headers, account: str, event_id: str) -> None:
        self.gateway, self.headers, self.account, self.event_id = gateway, headers, account, event_id
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._write) for _ in range(3)]
        self._threads += [threading.Thread(target=self._read, args=(path,)) for path in (
            f"/accounting/v1/events/{event_id}", f"/registry/v1/retirements?event_id={event_id}&limit=5")]

    def retirement(self) -> dict:
        return {"event_id": self.event_id, "from_account": self.account, "quantity": QUANTITY, "unit_type": "HNCI",
                "beneficiary": "restart test", "reason": "load"}

    def _loop(self, call) -> None:
        with httpx.Client(base_url=self.gateway, headers=self.headers, timeout=REQUEST_TIMEOUT) as http:
            while not self._stop.is_set():
                outcome = call(http)
                with self._lock:
                    self.outcomes.append(outcome)
                # Paced: what matters is requests in flight across the stop and the start, not saturation.
                self._stop.wait(0.05)

    def _write(self) -> None:
        self._loop(lambda http: _send(http, "write", "POST", "/registry/v1/retirements", key=secrets.token_hex(12),
                                      json=self.retirement()))

    def _read(self, path: str) -> None:
        self._loop(lambda http: _send(http, "read", "GET", path))

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2 * REQUEST_TIMEOUT)

    def seen(self, since: float) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if o.started >= since]


def _wait_for(condition, what: str, deadline: float) -> None:
    until = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < until, f"not within {deadline:.0f} s: {what}"
        time.sleep(0.1)


def _ready(url: str) -> httpx.Response | None:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{url}/health/ready", timeout=REQUEST_TIMEOUT)
    return None


def _twice_on_one_connection(url: str, path: str) -> list[tuple[int, str]]:
    """(status, media type) of two requests sent one after the other on one keep-alive connection;
    status 0 with the error where the server had dropped the connection."""
    target = httpx.URL(url)
    connection = http.client.HTTPConnection(target.host, target.port, timeout=REQUEST_TIMEOUT)
    answers: list[tuple[int, str]] = []
    try:
        for _ in range(2):
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except (http.client.HTTPException, OSError) as exc:
                answers.append((0, repr(exc)))
                continue
            answers.append((response.status, (response.getheader("content-type") or "").split(";")[0]))
    finally:
        connection.close()
    return answers


def _retirement_ids(http: httpx.Client, path: str, event_id: str) -> set[str]:
    ids: set[str] = set()
    params: dict[str, object] = {"event_id": event_id, "limit": 200}
    while True:
        page = http.get(path, params=params)
        assert page.status_code == 200, page.text
        ids |= {item["id"] for item in page.json()["items"]}
        if not page.json().get("next_cursor"):
            return ids
        params["cursor"] = page.json()["next_cursor"]


@dataclass
class Ledger:
    """An organizer holding credits for an event, and the operator that issued them."""

    operator_client: dict
    organizer_client: dict
    operator: httpx.Client
    organizer: httpx.Client
    event_id: str
    account_id: str


def _ledger(platform: Platform) -> Ledger:
    operator_scope = "registry:admin registry:issue registry:read"
    organizer_scope = "registry:read registry:transfer registry:retire events:read events:write"
    operator_client, organizer_client = _register(
        platform, ("lingtan:operator", operator_scope), ("org:restart-organizer", organizer_scope))
    operator = _caller(platform, operator_client, operator_scope)
    organizer = _caller(platform, organizer_client, organizer_scope)
    ends = date.today() - timedelta(days=10)
    event = organizer.post("/accounting/v1/events", json={
        "name": "Restart test expo", "organizers": ["Restart test organizer"], "kind": "exhibition",
        "jurisdiction": "CN-HI", "host_type": "government", "venue": "Haikou",
        "starts_at": (ends - timedelta(days=2)).isoformat(), "ends_at": ends.isoformat(),
        "expected_participants": 500})
    assert event.status_code == 201, event.text
    wait_until_known(organizer, event.json()["id"])
    account = organizer.post("/registry/v1/accounts", json={"owner": "org:restart-organizer", "kind": "organization",
                                                            "name": "restart test"})
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    project = operator.post("/registry/v1/projects", json={
        "name": "restart test sink", "code": f"RS{secrets.token_hex(3).upper()}", "unit_type": "HNCI",
        "province": "CN-HI", "category": "other", "methodology": "test", "new_sink": False})
    assert project.status_code == 201, project.text
    issued = operator.post("/registry/v1/issuances", json={"project_id": project.json()["id"], "account_id": account_id,
                                                           "vintage": 2025, "quantity": ISSUED})
    assert issued.status_code == 201, issued.text
    return Ledger(operator_client, organizer_client, operator, organizer, event.json()["id"], account_id)


def test_postgres_restart_mid_load_is_answered_503_and_recovered_from_without_restarting(
    platform: Platform, scratch_postgres: ScratchCluster
) -> None:
    ledger = _ledger(platform)
    operator, organizer, organizer_client = ledger.operator, ledger.organizer, ledger.organizer_client
    event_id, account_id = ledger.event_id, ledger.account_id
    processes_before = descendants(platform.process.pid)
    services = platform.summary["services"]

    load = Load(platform.gateway, organizer.headers, account_id, event_id)
    load.start()
    try:
        began = time.monotonic()
        _wait_for(lambda: sum(o.status == 201 for o in load.seen(began)) >= 5, "writes answered before the stop", 30)

        scratch_postgres.stop("fast")
        down_since = time.monotonic()
        _wait_for(lambda: {o.what for o in load.seen(down_since) if o.is_problem_503()} == {"read", "write"},
                  "reads and writes answered 503 while the database is down", 30)
        readiness_down = {name: _ready(url) for name, url in services.items()}
        kept_alive = _twice_on_one_connection(services["registry"], f"/v1/retirements?event_id={event_id}")
        token_down = httpx.post(f"{platform.gateway}/oauth/token", timeout=REQUEST_TIMEOUT,
                                data={"grant_type": "client_credentials"}, auth=("restart-test", "wrong"))
        down = load.seen(down_since)

        scratch_postgres.start()
        up_since = time.monotonic()
        _wait_for(lambda: {(o.what, o.status) for o in load.seen(up_since)} >= {("read", 200), ("write", 201)},
                  "reads and writes succeed again once the database is back", RECOVERY_DEADLINE)
    finally:
        load.stop()

    # While the database was down: 503 problems, nothing else.
    assert down, "no request was made while the database was down"
    assert [o for o in down if not o.is_problem_503()] == [], f"see {platform.log}"
    for name, ready in readiness_down.items():
        assert ready is not None and ready.status_code == 503, (name, ready and ready.text)
        assert ready.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert token_down.status_code == 503, token_down.text
    assert token_down.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    # A service answering 503 keeps the connection open for the next request, as for any other answer.
    assert kept_alive == [(503, PROBLEM_MEDIA_TYPE)] * 2

    # Throughout, in flight across the stop and the start included: no 500, no dropped connection, no hang.
    unexpected = [o for o in load.outcomes
                  if o.error or not (o.status in (200, 201) or o.is_problem_503())]
    assert unexpected == [], f"see {platform.log}"

    # The services came back by themselves: not one process was started again.
    assert descendants(platform.process.pid) == processes_before
    for name, url in {"gateway": platform.gateway, **services}.items():
        ready = _ready(url)
        assert ready is not None and ready.status_code == 200, (name, ready and ready.text)

    # Exactly once: a write answered 503 is asked again with its key; then every key has one retirement,
    # and the registry stores exactly the retirements answered.
    writes = [o for o in load.outcomes if o.what == "write"]
    answers = {o.key: o.body["id"] for o in writes if o.status == 201}
    for o in writes:
        if o.status == 503:
            again = _send(organizer, "write", "POST", "/registry/v1/retirements", key=o.key, json=load.retirement())
            assert again.status == 201, (again.status, again.body)
            answers[o.key] = again.body["id"]
    assert len(set(answers.values())) == len(answers)
    stored = _retirement_ids(organizer, "/registry/v1/retirements", event_id)
    assert stored == set(answers.values())
    holding = organizer.get(f"/registry/v1/accounts/{account_id}").json()
    assert sum(h["quantity_g"] for h in holding["holdings"]) + QUANTITY * len(stored) == ISSUED

    # The outbox relay outlived the outage: every retirement, the ones after it included, reaches disclosure.
    public = httpx.Client(base_url=platform.gateway, timeout=REQUEST_TIMEOUT)
    _wait_for(lambda: _retirement_ids(public, "/disclosure/v1/retirements", event_id) == stored,
              "every retirement disclosed", RECOVERY_DEADLINE)
    after = _send(organizer, "write", "POST", "/registry/v1/retirements", key=secrets.token_hex(12),
                  json=load.retirement())
    assert after.status == 201, after.body
    _wait_for(lambda: after.body["id"] in _retirement_ids(public, "/disclosure/v1/retirements", event_id),
              "a retirement made after the restart disclosed", RECOVERY_DEADLINE)
    # The gateway signs new tokens again, with the keys it reads from the same database.
    fresh = _caller(platform, organizer_client, "events:read")
    assert fresh.get(f"/accounting/v1/events/{event_id}").status_code == 200
    for client in (operator, organizer, public, fresh):
        client.close()


def test_a_crash_of_postgres_mid_load_loses_no_retirement_that_was_answered(
    platform: Platform, scratch_postgres: ScratchCluster
) -> None:
    """A write's own commit does not wait for the disk (services/registry/units.py); its answer waits
    for the sequencer's batch, whose commit does and covers everything logged before it. So when the
    server stops at once, dropping what it had not yet written of its log, as a crash does, every
    retirement answered 201 is there afterwards, with its log entry. (The other services' commits
    flush the same log often, so this run seldom meets the window an early answer would fall into:
    tests/registry/test_registry_units.py and test_registry_sequencer.py check the order itself.)"""
    ledger = _ledger(platform)
    try:
        load = Load(platform.gateway, ledger.organizer.headers, ledger.account_id, ledger.event_id)
        load.start()
        try:
            began = time.monotonic()
            _wait_for(lambda: sum(o.status == 201 for o in load.seen(began)) >= 30, "writes answered first", 60)
            scratch_postgres.stop("immediate")
            crashed = time.monotonic()
            scratch_postgres.start()
            _wait_for(lambda: ("write", 201) in {(o.what, o.status) for o in load.seen(time.monotonic() - 1)},
                      "writes succeed again after the crash", RECOVERY_DEADLINE)
        finally:
            load.stop()

        answered = {o.body["id"] for o in load.outcomes
                    if o.what == "write" and o.status == 201 and o.started < crashed}
        assert len(answered) >= 30
        # Listed only with their log entries: every answered retirement is stored and sequenced.
        stored = _retirement_ids(ledger.organizer, "/registry/v1/retirements", ledger.event_id)
        assert answered <= stored, f"lost: {sorted(answered - stored)}; see {platform.log}"
        holding = ledger.organizer.get(f"/registry/v1/accounts/{ledger.account_id}").json()
        assert sum(h["quantity_g"] for h in holding["holdings"]) + QUANTITY * len(stored) == ISSUED
    finally:
        ledger.operator.close()
        ledger.organizer.close()
