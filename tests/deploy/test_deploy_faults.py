"""Every service in a process of its own (`lingtan serve --processes`): a whole event lifecycle as the
public sees it, disclosure stopped and started again under a load, and the registry restored from a
dump.

The tests share one runner and run in this order: the lifecycle first (the demo fills only a
platform without events), the restore last (it rolls the registry back to its dump).
"""

from __future__ import annotations

import glob
import re
import secrets
import shutil
import subprocess
import threading
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
import pytest

from lingtan.demo import fill
from services.gateway.settings import GatewaySettings
from tests.deploy.processes_support import (
    POSTGRES_URL,
    Runner,
    caller,
    eventually,
    known_event,
    lingtan_verify,
    refuses_connections,
    run_lingtan_verify,
    service_process,
    start_stopped_services,
    stop_service,
    wait_until_known,
)

ORGANIZER = "events:read events:write registry:read registry:transfer registry:retire"
OPERATOR = "registry:admin registry:issue registry:read"
PROBLEM = "application/problem+json"
# How long disclosure may take to catch up once it is back: the senders back off while it is down
# (0.5 s doubling per failed round), so the first delivery after it returns can wait a few seconds.
CATCH_UP_SECONDS = 90


def gateway_settings(runner: Runner) -> GatewaySettings:
    """The gateway's database as the runner's processes find it, for writing clients straight into it the way
    `lingtan client create` and `lingtan serve --demo` do."""
    return GatewaySettings(
        data_dir=Path(runner.env["LINGTAN_DATA_DIR"]),
        database_url=runner.env.get("LINGTAN_DATABASE_URL"),
        schema_prefix=runner.env.get("LINGTAN_SCHEMA_PREFIX", ""),
    )


@pytest.fixture
def connect(runner):
    """Opens clients of the gateway (with a newly registered client's token when given an owner and scopes) and
    closes them after the test."""
    opened: list[httpx.Client] = []

    def open_client(owner: str | None = None, scope: str | None = None) -> httpx.Client:
        made = caller(runner, owner, scope) if owner and scope else httpx.Client(base_url=runner.gateway, timeout=30)
        opened.append(made)
        return made

    yield open_client
    for client in opened:
        client.close()


def every_item(http: httpx.Client, path: str, **params: object) -> list[dict]:
    """Every item of a paged list, following its cursors."""
    items: list[dict] = []
    cursor = None
    while True:
        response = http.get(path, params={**params, "limit": 200, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def test_an_event_lifecycle_through_the_gateway_is_what_the_public_sees(runner, connect):
    gateway = runner.gateway
    certificates = fill(gateway_settings(runner), gateway)
    assert len(certificates) == 3
    public = connect()
    issued = {c: public.get(f"/certification/v1/certificates/{c}").json() for c in certificates}
    assert sorted(c["status"] for c in issued.values()) == ["revoked", "valid", "valid"]
    revoked = next(c for c, body in issued.items() if body["status"] == "revoked")

    # Anyone can check a certificate's signature against the issuer's keys, and its revocation bit.
    for certificate in certificates:
        code, checked = run_lingtan_verify(runner, "certificate", "--id", certificate, "--url", gateway)
        assert checked["signature"] == "valid", checked
        assert checked["event_id"] == issued[certificate]["event_id"], checked
        assert (code, checked["status"]) == ((1, "revoked") if certificate == revoked else (0, "valid")), checked

    # Disclosure learns of events and certificates from notifications, so it shows them a little later.
    events = eventually(lambda: every_item(public, "/disclosure/v1/events"),
                        lambda items: sorted(str(e["certificate_status"]) for e in items) == sorted(
                            c["status"] for c in issued.values()),
                        60, "three disclosed events with their certificates' status")
    assert {e["jurisdiction"] for e in events} == {"CN-HI", "CN-SD"}
    assert {e["id"] for e in events} == {c["event_id"] for c in issued.values()}
    for certificate, body in issued.items():
        shown = public.get(f"/disclosure/v1/certificates/{certificate}")
        assert shown.status_code == 200, shown.text
        assert shown.json()["status"] == body["status"]
        assert shown.json()["jws"] == body["jws"]
        verification = public.get(f"/disclosure/v1/certificates/{certificate}/verification").json()
        assert (verification["state"], verification["signature"]) == (body["status"], "valid"), verification
        event = public.get(f"/disclosure/v1/events/{body['event_id']}").json()
        assert event["certificate"]["id"] == certificate
        assert event["certificate"]["status"] == body["status"]
        # What the public page says was offset is every disclosed record of the event, and covers its emissions.
        records = every_item(public, "/disclosure/v1/retirements", event_id=body["event_id"])
        assert len({r["id"] for r in records}) == len(records) > 0
        assert event["offsets"]["total_g"] == sum(r["quantity_g"] for r in records)
        assert Decimal(event["offsets"]["total_g"]) >= Decimal(body["accounted_kgco2e"]) * 1000
    page = public.get("/disclosure/verify", params={"id": revoked})
    assert page.status_code == 200 and revoked in page.text

    # The registry's log holds every retirement the public sees, each at the index disclosure shows.
    registry = f"{gateway}/registry"
    log = lingtan_verify(runner, "log", "--registry", registry)
    disclosed = every_item(public, "/disclosure/v1/retirements", kind="retirement")
    assert disclosed
    assert log["entries_checked"] > max(r["log_index"] for r in disclosed)
    proof = lingtan_verify(runner, "proof", "--retirement", disclosed[0]["id"], "--registry", registry)
    assert (proof["record_id"], proof["leaf_index"]) == (disclosed[0]["id"], disclosed[0]["log_index"])


class Load:
    """Writes in threads until told to stop, keeping every answered one."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.done = threading.Event()
        self.answered: dict[str, list[str]] = {"retirement": [], "event": []}
        self.threads: list[threading.Thread] = []

    def start(self, kind: str, headers: httpx.Headers, write: Callable[[httpx.Client, int], httpx.Response]) -> None:
        def loop() -> None:
            with httpx.Client(base_url=self.runner.gateway, headers=headers, timeout=30) as http:
                n = 0
                while not self.done.is_set():
                    n += 1
                    try:
                        response = write(http, n)
                    except httpx.HTTPError:
                        continue
                    if response.status_code == 201:
                        self.answered[kind].append(response.json()["id"])

        self.threads.append(threading.Thread(target=loop, name=f"load-{kind}"))
        self.threads[-1].start()

    def counts(self) -> tuple[int, int]:
        return len(self.answered["retirement"]), len(self.answered["event"])

    def more_than(self, before: tuple[int, int], at_least: int = 3) -> None:
        """Wait until each kind of write has been answered `at_least` more times."""
        eventually(self.counts, lambda now: all(n >= b + at_least for n, b in zip(now, before, strict=True)), 60,
                   f"{at_least} more answered writes of each kind")

    def stop(self) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=60)


def _event_body(name: str) -> dict:
    ends = date.today() - timedelta(days=3)
    return {"name": name, "organizers": ["停服测试协会"], "kind": "forum", "jurisdiction": "CN-HI",
            "host_type": "association", "venue": "海口", "starts_at": (ends - timedelta(days=1)).isoformat(),
            "ends_at": ends.isoformat(), "expected_participants": 200}


def test_disclosure_stopped_under_load_shows_every_change_once_when_started_again(runner, connect):
    tag = secrets.token_hex(4)
    owner = f"org:outage-{tag}"
    organizer = connect(owner, ORGANIZER)
    operator = connect("lingtan:operator", OPERATOR)
    event = organizer.post("/accounting/v1/events", json=_event_body(f"Outage {tag} retirements"))
    assert event.status_code == 201, event.text
    event_id = event.json()["id"]
    wait_until_known(organizer, event_id)
    account = organizer.post("/registry/v1/accounts", json={"owner": owner, "kind": "organization",
                                                            "name": "outage test"}).json()["id"]
    project = operator.post("/registry/v1/projects", json={
        "name": "outage test sink", "code": f"OT{tag.upper()}", "unit_type": "HNCI", "province": "CN-HI",
        "category": "other", "methodology": "test", "new_sink": False}).json()["id"]
    issued = operator.post("/registry/v1/issuances", json={"project_id": project, "account_id": account,
                                                           "vintage": 2025, "quantity": 1_000_000})
    assert issued.status_code == 201, issued.text

    load = Load(runner)
    retire = {"event_id": event_id, "from_account": account, "quantity": 7, "unit_type": "HNCI",
              "beneficiary": "outage test", "reason": "load"}
    for _ in range(2):
        load.start("retirement", organizer.headers, lambda http, _n: http.post(
            "/registry/v1/retirements", json=retire, headers={"Idempotency-Key": secrets.token_hex(8)}))
    load.start("event", organizer.headers,
               lambda http, n: http.post("/accounting/v1/events", json=_event_body(f"Outage {tag} event {n}")))
    try:
        load.more_than((0, 0))
        old = stop_service(runner, "disclosure")
        stopped_at = load.counts()
        load.more_than(stopped_at, at_least=10)
        # Stopped on purpose, it stays stopped: the gateway answers for it with a problem.
        down = httpx.get(f"{runner.gateway}/disclosure/v1/events", timeout=30)
        assert down.status_code == 502 and down.headers["content-type"].startswith(PROBLEM), down.text
        assert refuses_connections(runner.service_url("disclosure"))
        during = load.counts()
        start_stopped_services(runner, "disclosure")
        assert service_process(runner, "disclosure") != old
        load.more_than(load.counts())
    finally:
        load.stop()
    assert all(d > s for d, s in zip(during, stopped_at, strict=True)), (stopped_at, during)
    answered_retirements, answered_events = load.answered["retirement"], load.answered["event"]
    assert len(set(answered_retirements)) == len(answered_retirements)

    public = connect()
    # Disclosure must end up showing what the registry and accounting hold (every answered write among it), each once.
    held_retirements = {r["id"] for r in every_item(organizer, "/registry/v1/retirements", event_id=event_id)}
    assert set(answered_retirements) <= held_retirements
    held_events = {e["id"] for e in every_item(organizer, "/accounting/v1/events", owner=owner)}
    assert set(answered_events) | {event_id} <= held_events

    def disclosed(path: str, **params: object) -> list[str]:
        return [item["id"] for item in every_item(public, path, **params)]

    retirements = eventually(lambda: disclosed("/disclosure/v1/retirements", event_id=event_id),
                             lambda ids: set(ids) == held_retirements, CATCH_UP_SECONDS,
                             f"the {len(held_retirements)} retirements in disclosure")
    assert len(retirements) == len(held_retirements)
    events = eventually(lambda: disclosed("/disclosure/v1/events", q=tag), lambda ids: set(ids) == held_events,
                        CATCH_UP_SECONDS, f"the {len(held_events)} events in disclosure")
    assert len(events) == len(held_events)
    detail = public.get(f"/disclosure/v1/events/{event_id}").json()
    assert detail["offsets"]["total_g"] == 7 * len(held_retirements)


def _major(version_text: str) -> int:
    found = re.search(r"\(PostgreSQL\) (\d+)", version_text) or re.search(r"(\d+)", version_text)
    assert found, version_text
    return int(found.group(1))


def postgres_client_dir(url: str) -> Path:
    """The directory of pg_dump, pg_restore and psql of the server's major version, else of the oldest newer one
    installed (pg_dump refuses a server newer than itself)."""
    with psycopg.connect(url) as conn:
        server = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    candidates = [shutil.which("pg_dump"), "/usr/local/bin/pg_dump",
                  *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)]
    found: dict[int, Path] = {}
    for candidate in candidates:
        if candidate and Path(candidate).exists() and all((Path(candidate).parent / t).exists()
                                                          for t in ("pg_restore", "psql")):
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=True).stdout
            found.setdefault(_major(version), Path(candidate).parent)
    usable = sorted(major for major in found if major >= server)
    if not usable:
        pytest.skip(f"no pg_dump, pg_restore and psql of PostgreSQL {server} or newer (found {sorted(found)})")
    return found[server] if server in found else found[usable[0]]


def _run(*argv: str | Path) -> None:
    out = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"{argv[0]}: {out.stderr}"


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="pg_dump and pg_restore back up PostgreSQL; on SQLite each service is "
                                             "one file, copied while the service is stopped")
def test_registry_restored_from_its_dump_extends_the_checkpoint_published_before_it(runner, connect, tmp_path):
    tools = postgres_client_dir(POSTGRES_URL)
    database_url = runner.env["LINGTAN_DATABASE_URL"]
    schema = runner.env["LINGTAN_SCHEMA_PREFIX"] + "registry"
    tag = secrets.token_hex(3)
    owner = f"org:restore-{tag}"
    organizer = connect(owner, ORGANIZER)
    operator = connect("lingtan:operator", OPERATOR)
    account = organizer.post("/registry/v1/accounts", json={"owner": owner, "kind": "organization",
                                                            "name": "restore test"}).json()["id"]
    project = operator.post("/registry/v1/projects", json={
        "name": "restore test sink", "code": f"RS{tag.upper()}", "unit_type": "HNCI", "province": "CN-HI",
        "category": "other", "methodology": "test", "new_sink": False}).json()["id"]
    assert operator.post("/registry/v1/issuances", json={"project_id": project, "account_id": account,
                                                         "vintage": 2025, "quantity": 1000}).status_code == 201
    restore_event = known_event(organizer, f"Restore {tag}")

    def retire() -> str:
        made = organizer.post("/registry/v1/retirements", headers={"Idempotency-Key": secrets.token_hex(8)},
                              json={"event_id": restore_event, "from_account": account, "quantity": 10,
                                    "unit_type": "HNCI", "beneficiary": "restore test", "reason": "backup"})
        assert made.status_code == 201, made.text
        return made.json()["id"]

    kept = [retire() for _ in range(4)]
    vkey = httpx.get(f"{runner.gateway}/registry/v1/log/public-key").json()["vkey"]
    # The documented procedure: save the published checkpoint, then dump the registry's schema.
    saved = tmp_path / "last-published-checkpoint.txt"
    saved.write_text(httpx.get(f"{runner.gateway}/registry/v1/log/checkpoint").text)
    dump = tmp_path / "registry.dump"
    _run(tools / "pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}", database_url)

    lost = [retire() for _ in range(3)]
    later = tmp_path / "later-checkpoint.txt"
    later.write_text(httpx.get(f"{runner.gateway}/registry/v1/log/checkpoint").text)

    # The registry's data is lost; restore the dump with the registry stopped, then start it.
    stop_service(runner, "registry")
    _run(tools / "psql", "-v", "ON_ERROR_STOP=1", "-c", f'DROP SCHEMA "{schema}" CASCADE', database_url)
    _run(tools / "pg_restore", "--no-owner", "-d", database_url, dump)
    start_stopped_services(runner, "registry")

    registry = f"{runner.gateway}/registry"
    consistent = lingtan_verify(runner, "consistency", str(saved), "--registry", registry, "--vkey", vkey)
    assert consistent["vkey_source"] == "pinned"
    assert consistent["new"]["tree_size"] == consistent["old"]["tree_size"]
    # Auditors holding a checkpoint published after the dump see the rollback.
    code, rolled_back = run_lingtan_verify(runner, "consistency", str(later), "--registry", registry)
    assert code == 1 and rolled_back["failed"] == "consistency", rolled_back
    for record in kept:
        assert organizer.get(f"/registry/v1/retirements/{record}").status_code == 200
    for record in lost:
        assert organizer.get(f"/registry/v1/retirements/{record}").status_code == 404

    # The restored registry takes new writes, and its log still extends the saved checkpoint.
    retire()
    log = lingtan_verify(runner, "log", "--registry", registry, "--checkpoint", str(saved), "--vkey", vkey)
    assert log["extends"]["tree_size"] == consistent["old"]["tree_size"]
    assert log["checkpoint"]["tree_size"] > log["extends"]["tree_size"]
    holdings = organizer.get(f"/registry/v1/accounts/{account}").json()["holdings"]
    assert sum(h["quantity_g"] for h in holdings) == 1000 - 10 * (len(kept) + 1)
