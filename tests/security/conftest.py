"""A hostile but fully authorized client, records of its own to aim at, and each service's fingerprint."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from tests.security.openapi_inputs import SERVICES
from tests.security.probes import Fingerprint, every_scope, wait_until_delivered

OWNER = "org:hostile"


@pytest.fixture(scope="module")
def hostile(platform) -> httpx.Client:
    """A client of the gateway holding every scope, so requests get past authorization to validation."""
    caller = platform.register(OWNER, every_scope())
    with httpx.Client(base_url=platform.url, headers=caller.headers(), timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def http() -> httpx.Client:
    """One plain client for the whole module: a new client per request costs more than the request."""
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def known_ids(platform, hostile) -> dict[str, str]:
    """Path ids that name real records of the hostile owner; other ids name nothing."""
    starts = date.today() + timedelta(days=60)
    events = [
        hostile.post("/accounting/v1/events", json={
            "name": name, "organizers": ["Probe bureau"], "kind": "exhibition",
            "jurisdiction": "CN-HI", "host_type": "government", "venue": "Haikou",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(days=2)).isoformat(),
            "expected_participants": 1000,
        })
        for name in ("Probe expo", "Second probe expo")
    ]
    assert [e.status_code for e in events] == [201, 201], events[0].text
    account = hostile.post("/registry/v1/accounts", json={"owner": OWNER, "kind": "organization", "name": "Probe"})
    assert account.status_code == 201, account.text
    wait_until_delivered(platform)
    return {"event_id": events[0].json()["id"], "account_id": account.json()["id"]}


@pytest.fixture(scope="module")
def fingerprints(platform, known_ids) -> dict[str, Fingerprint]:
    """Each service's row counts, taken once nothing is in flight any more."""
    wait_until_delivered(platform)
    return {service: Fingerprint(platform, service) for service in SERVICES}

