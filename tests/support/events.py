"""Real events for tests that attach records to them: created in accounting by their owner, and waited
for until the registry's read model knows them (they arrive through accounting's outbox)."""

from __future__ import annotations

import secrets
import time
from datetime import date, timedelta
from typing import Any

import httpx

from tests.support.running import RunningPlatform

WAIT_SECONDS = 15.0


def event_body(**changes: Any) -> dict[str, Any]:
    """A Hainan government exhibition held last week, open to donations, changed as told."""
    ends = date.today() - timedelta(days=7)
    body: dict[str, Any] = {
        "name": "海南国际消费品博览会 test",
        "organizers": ["海南省商务厅"],
        "kind": "exhibition",
        "jurisdiction": "CN-HI",
        "host_type": "government",
        "venue": "Haikou",
        "starts_at": (ends - timedelta(days=3)).isoformat(),
        "ends_at": ends.isoformat(),
        "expected_participants": 2800,
        "accepts_donations": True,
    }
    body.update(changes)
    return body


def _watcher(platform: RunningPlatform) -> str:
    """A registry:read token of a client that only watches (one per platform)."""
    caller = getattr(platform, "_event_watcher", None)
    if caller is None:
        caller = platform.register(f"test:watcher-{secrets.token_hex(3)}", "registry:read", "event watcher")
        platform._event_watcher = caller  # type: ignore[attr-defined]
    return str(caller.token())


def wait_until_known(platform: RunningPlatform, event_id: str, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
    """The registry's view of the event once its read model has it (AssertionError after ``timeout``)."""
    headers = {"Authorization": f"Bearer {_watcher(platform)}"}
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=platform.url, headers=headers, timeout=10) as http:
        while True:
            answer = http.get(f"/registry/v1/events/{event_id}")
            if answer.status_code == 200:
                found: dict[str, Any] = answer.json()
                return found
            assert answer.status_code == 404, answer.text
            assert time.monotonic() < deadline, f"the registry did not learn of {event_id} in {timeout} s"
            time.sleep(0.02)


def wait_until_status(platform: RunningPlatform, event_id: str, status: str, timeout: float = WAIT_SECONDS) -> None:
    """Wait until the registry knows the event in ``status`` (a change travels like a creation)."""
    deadline = time.monotonic() + timeout
    while wait_until_known(platform, event_id, timeout)["status"] != status:
        assert time.monotonic() < deadline, f"the registry did not see {event_id} become {status}"
        time.sleep(0.02)


def known_event(platform: RunningPlatform, owner: str, **changes: Any) -> str:
    """Create an event owned by ``owner`` through the gateway and return its id once the registry knows it."""
    organizers: dict[str, Any] = getattr(platform, "_event_organizers", {})
    platform._event_organizers = organizers  # type: ignore[attr-defined]
    caller = organizers.get(owner)
    if caller is None:
        caller = organizers[owner] = platform.register(owner, "events:read events:write", "event organizer")
    response = httpx.post(
        f"{platform.url}/accounting/v1/events",
        json=event_body(**changes),
        headers={"Authorization": f"Bearer {caller.token()}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    event_id = str(response.json()["id"])
    wait_until_known(platform, event_id)
    return event_id


def settle(platform: RunningPlatform, timeout: float = WAIT_SECONDS) -> None:
    """Wait until every service's outbox has delivered everything (the read models are up to date)."""
    deadline = time.monotonic() + timeout
    for service in ("accounting", "registry", "certification"):
        while True:
            ready = httpx.get(f"{platform.service_url(service)}/health/ready", timeout=10).json()
            if all(lag["pending"] == 0 for lag in ready.get("outbox", {}).values()):
                break
            assert time.monotonic() < deadline, f"{service}'s outbox did not drain: {ready.get('outbox')}"
            time.sleep(0.02)


def ledger_snapshot(platform: RunningPlatform, *accounts_of: tuple[httpx.Client, str]) -> dict[str, Any]:
    """What a refusal must leave as it was: the log's size, disclosure's totals, and the given accounts'
    holdings (each read with its owner's client)."""
    settle(platform)
    checkpoint = httpx.get(f"{platform.url}/registry/v1/log/checkpoint", timeout=10).json()
    stats = httpx.get(f"{platform.url}/disclosure/v1/stats", timeout=10).json()
    holdings = {
        account: http.get(f"/registry/v1/accounts/{account}").json()["holdings"] for http, account in accounts_of
    }
    return {
        "log_size": checkpoint["tree_size"],
        "retired_total_g": stats["retired_total_g"],
        "by_unit_type": stats["by_unit_type"],
        "holdings": holdings,
    }
