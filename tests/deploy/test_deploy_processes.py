"""`lingtan serve --processes`: every service in a process of its own, reached through the gateway,
configured by the environment alone, and stopped cleanly with SIGTERM."""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import multiprocessing
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import httpx
import pytest

from lingtan.processes import Child, ProcessSet, ProcessSpec, child_environment, plan, worker_count
from shared.auth.scopes import service_client_id, service_client_secret
from tests.deploy.processes_support import (
    SERVICES,
    alive,
    caller,
    cmdline,
    create_and_retire,
    descendants,
    known_event,
    lingtan_verify,
    register,
    stat,
    stop,
    token,
)


def kid(jwt: str) -> str:
    header = jwt.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


def test_each_service_is_a_process_of_its_own_answering_as_itself(runner):
    pids = runner.summary["pids"]
    assert set(pids) == {"gateway", *SERVICES}
    assert len(set(pids.values())) == 5
    for pid in pids.values():
        assert pid != runner.process.pid
        assert stat(pid)[1] == runner.process.pid  # a child of the runner
    for service in SERVICES:
        url = runner.summary["services"][service]
        assert url == runner.env[f"LINGTAN_{service.upper()}_URL"]
        ready = httpx.get(f"{url}/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["service"] == service
        assert f"lingtan.factory:{service}" in cmdline(pids[service])


def test_gateway_runs_the_workers_it_was_given(runner):
    assert runner.summary["workers"]["gateway"] == 2
    workers = [pid for pid in descendants(runner.summary["pids"]["gateway"]) if "spawn_main" in cmdline(pid)]
    assert len(workers) == 2


def test_a_registered_client_calls_the_registry_through_the_gateway(runner):
    gateway = runner.summary["gateway"]
    client = register(runner, "registry:read events:read")
    tokens = [token(gateway, client["client_id"], client["client_secret"], "registry:read") for _ in range(8)]
    # Whichever gateway worker answered, every token is signed with the one key they all publish.
    assert len({kid(t) for t in tokens}) == 1
    for access in tokens[:3]:
        response = httpx.get(f"{gateway}/registry/v1/whoami", headers={"Authorization": f"Bearer {access}"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["client_id"] == client["client_id"]
        assert body["service"] == "registry"
        assert body["owner"] == "org:process-test"
        assert "registry:read" in body["scopes"]
    refused = httpx.get(f"{gateway}/registry/v1/whoami")
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_services_accept_each_others_tokens_across_processes(runner):
    gateway = runner.summary["gateway"]
    secret = service_client_secret("registry", runner.env["LINGTAN_SERVICE_CLIENT_SECRET"])
    access = token(gateway, service_client_id("registry"), secret, "notifications:deliver")
    response = httpx.post(f"{runner.summary['services']['disclosure']}/v1/inbox", json={"notifications": []},
                          headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 200, response.text
    assert response.json() == {"acknowledged": []}


def test_a_service_killed_outright_is_started_again_on_its_port(runner):
    old = runner.summary["pids"]["registry"]
    os.kill(old, signal.SIGKILL)
    url = runner.summary["services"]["registry"]
    deadline = time.monotonic() + 120
    while True:
        new = [pid for pid in descendants(runner.process.pid)
               if pid != old and alive(pid) and "lingtan.factory:registry" in cmdline(pid)]
        with contextlib.suppress(httpx.HTTPError):
            if new and httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                break
        assert time.monotonic() < deadline, runner.log.read_text()[-4000:]
        time.sleep(0.2)
    assert not alive(old)
    client = register(runner, "registry:read")
    access = token(runner.summary["gateway"], client["client_id"], client["client_secret"], "registry:read")
    response = httpx.get(f"{runner.summary['gateway']}/registry/v1/whoami",
                         headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 200, response.text


def test_registry_killed_mid_load_loses_no_answered_retirement(runner, tmp_path):
    operator = caller(runner, "lingtan:operator", "registry:admin registry:issue registry:read")
    organizer = caller(runner, "org:crash-organizer",
                       "registry:read registry:transfer registry:retire events:read events:write")
    crash_event = known_event(organizer, "crash test")
    account = organizer.post("/registry/v1/accounts", json={"owner": "org:crash-organizer", "kind": "organization",
                                                            "name": "crash test"}).json()["id"]
    project = operator.post("/registry/v1/projects", json={
        "name": "crash test sink", "code": f"CR{secrets.token_hex(3).upper()}", "unit_type": "HNCI",
        "province": "CN-HI", "category": "other", "methodology": "test", "new_sink": False}).json()["id"]
    issued = operator.post("/registry/v1/issuances", json={"project_id": project, "account_id": account,
                                                           "vintage": 2025, "quantity": 100_000})
    assert issued.status_code == 201, issued.text
    before = tmp_path / "checkpoint-before.json"
    before.write_text(organizer.get("/registry/v1/log/checkpoint").text)

    answered: list[dict] = []
    stop_load = time.monotonic() + 6

    def load() -> None:
        with httpx.Client(base_url=runner.summary["gateway"], headers=organizer.headers, timeout=30) as http:
            while time.monotonic() < stop_load:
                with contextlib.suppress(httpx.HTTPError):
                    r = http.post("/registry/v1/retirements", headers={"Idempotency-Key": secrets.token_hex(8)},
                                  json={"event_id": crash_event, "from_account": account, "quantity": 7,
                                        "unit_type": "HNCI", "beneficiary": "crash test", "reason": "load"})
                    if r.status_code == 201:
                        answered.append(r.json())

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    registry_pids = [pid for pid in descendants(runner.process.pid)
                     if alive(pid) and "lingtan.factory:registry" in cmdline(pid)]
    assert registry_pids
    for pid in registry_pids:
        os.kill(pid, signal.SIGKILL)
    for thread in threads:
        thread.join()
    url = runner.summary["services"]["registry"]
    deadline = time.monotonic() + 120
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                break
        assert time.monotonic() < deadline
        time.sleep(0.2)

    assert answered, "no retirement was answered before the crash"
    ids = [r["id"] for r in answered]
    assert len(ids) == len(set(ids))
    listed = organizer.get("/registry/v1/retirements", params={"event_id": crash_event, "limit": 200})
    stored = {r["id"] for r in listed.json()["items"]}
    cursor = listed.json().get("next_cursor")
    while cursor:
        page = organizer.get("/registry/v1/retirements", params={"event_id": crash_event, "limit": 200,
                                                                 "cursor": cursor}).json()
        stored |= {r["id"] for r in page["items"]}
        cursor = page.get("next_cursor")
    assert set(ids) <= stored
    serials = [(s["serial"], s["start"], s["end"]) for r in answered for s in r["serial_ranges"]]
    assert len(serials) == len(set(serials))
    holding = organizer.get(f"/registry/v1/accounts/{account}").json()
    held = sum(h["quantity_g"] for h in holding["holdings"])
    assert held + 7 * len(stored) == 100_000
    registry = f"{runner.summary['gateway']}/registry"
    assert lingtan_verify(runner, "log", "--registry", registry)["ok"] is True
    assert lingtan_verify(runner, "consistency", str(before), "--registry", registry)["ok"] is True
    operator.close()
    organizer.close()


def test_events_created_and_at_once_retired_against_from_many_processes_land_only_on_known_events(runner):
    scopes = "registry:read registry:transfer registry:retire events:read events:write"
    operator = caller(runner, "lingtan:operator", "registry:admin registry:issue registry:read")
    organizer_client = register(runner, scopes, owner="org:race-organizer")
    access = token(runner.gateway, organizer_client["client_id"], organizer_client["client_secret"], scopes)
    organizer = httpx.Client(base_url=runner.gateway, headers={"Authorization": f"Bearer {access}"}, timeout=30)
    project = operator.post("/registry/v1/projects", json={
        "name": "race sink", "code": f"RC{secrets.token_hex(3).upper()}", "unit_type": "HNCI",
        "province": "CN-HI", "category": "other", "methodology": "test", "new_sink": False}).json()["id"]
    workers, rounds = 4, 6
    accounts = []
    for number in range(workers):
        account = organizer.post("/registry/v1/accounts", json={"owner": "org:race-organizer", "kind": "organization",
                                                                "name": f"race {number}"}).json()["id"]
        issued = operator.post("/registry/v1/issuances", json={"project_id": project, "account_id": account,
                                                               "vintage": 2025, "quantity": 1_000})
        assert issued.status_code == 201, issued.text
        accounts.append(account)

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(create_and_retire, [runner.gateway] * workers, [access] * workers, accounts,
                                [rounds] * workers))
    attempts = [attempt for result in results for attempt in result]

    landed = [a for a in attempts if a["status"] == 201]
    not_yet = [a for a in attempts if a["status"] == 404]
    assert len(landed) == workers * rounds, [a for a in attempts if a["status"] not in (201, 404)][:3]
    assert len(landed) + len(not_yet) == len(attempts), "every answer is a retirement or the documented 404"
    for refused in not_yet:
        assert refused["body"]["type"].endswith("/unknown-event") and refused["retry_after"] == "1", refused
    for retirement in landed:
        known = organizer.get(f"/accounting/v1/events/{retirement['event_id']}")
        assert known.status_code == 200 and known.json()["owner"] == "org:race-organizer"
        assert retirement["body"]["event_id"] == retirement["event_id"]
    never_created = organizer.post("/registry/v1/retirements", json={
        "event_id": "evt_0000000000000000000f", "from_account": accounts[0], "quantity": 1, "unit_type": "HNCI",
        "beneficiary": "x", "reason": "y"})
    assert never_created.status_code == 404
    held = sum(sum(h["quantity_g"] for h in organizer.get(f"/registry/v1/accounts/{a}").json()["holdings"])
               for a in accounts)
    assert held == workers * (1_000 - rounds), "each landed retirement moved one gram, once"
    operator.close()
    organizer.close()


# Runs last in this module: it stops the runner the tests above share.
def test_sigterm_stops_every_child_and_exits_cleanly(runner):
    children = descendants(runner.process.pid)
    assert len(children) >= 5 + 2 + 2  # five processes, plus the gateway's and disclosure's workers
    assert stop(runner) == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in children if alive(pid)] == []
    for port in [int(u.rsplit(":", 1)[1]) for u in [runner.summary["gateway"], *runner.summary["services"].values()]]:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_service_ports_come_from_the_environment_else_sit_next_to_the_gateway():
    env = {"LINGTAN_REGISTRY_URL": "http://127.0.0.1:9902", "LINGTAN_DISCLOSURE_URL": "http://disclosure:8004"}
    ports = {spec.service: spec.port for spec in plan("127.0.0.1", 9000, {}, env)}
    assert ports == {"gateway": 9000, "accounting": 9001, "registry": 9902, "certification": 9003, "disclosure": 9004}


def test_two_services_on_one_port_are_refused():
    with pytest.raises(ValueError, match="share a port"):
        plan("127.0.0.1", 9000, {}, {"LINGTAN_ACCOUNTING_URL": "http://127.0.0.1:9000"})


def test_children_learn_where_everyone_is_and_keep_a_configured_issuer():
    specs = plan("0.0.0.0", 9000, {"registry": 3}, {})
    assert next(s for s in specs if s.service == "registry") == ProcessSpec("registry", "127.0.0.1", 9002, 3)
    env = child_environment(specs, {"PATH": "/bin"})
    assert env["LINGTAN_CERTIFICATION_URL"] == "http://127.0.0.1:9003"
    assert env["LINGTAN_ISSUER"] == "http://127.0.0.1:9000"
    assert env["LINGTAN_JWKS_URL"] == "http://127.0.0.1:9000/.well-known/jwks.json"
    assert env["PATH"] == "/bin"
    kept = child_environment(specs, {"LINGTAN_ISSUER": "https://lingtan.example.gov.cn"})
    assert kept["LINGTAN_ISSUER"] == "https://lingtan.example.gov.cn"
    assert kept["LINGTAN_TOKEN_URL"] == "http://127.0.0.1:9000/oauth/token"


@pytest.mark.parametrize("value", ["gateway", "gateway=0", "ledger=2", "registry=two"])
def test_a_malformed_workers_option_is_refused(value):
    with pytest.raises(argparse.ArgumentTypeError):
        worker_count(value)
    assert worker_count("disclosure=3") == ("disclosure", 3)


def test_a_child_that_exits_cleanly_stays_stopped_until_asked_to_start_again(monkeypatch):
    specs = plan("127.0.0.1", 9000, {}, {})
    processes = ProcessSet(specs, {})
    for service, code in (("disclosure", 0), ("registry", 3)):
        exited = subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"], start_new_session=True)
        exited.wait()
        processes.children[service] = Child(next(s for s in specs if s.service == service), exited, 0.0)
    processes.supervise()
    assert processes.children["disclosure"].stopped
    assert "disclosure" not in processes.restart_at
    assert "registry" in processes.restart_at  # a crash is started again after a back-off
    started: list[str] = []
    monkeypatch.setattr(processes, "start", lambda service, restarts=0: started.append(service))
    processes.start_stopped()
    assert started == ["disclosure"]
