"""Registry fixtures: an operator and holders on the running platform, and a bare ledger database."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.registry.database import kernel
from services.registry.events.feed import apply_event
from services.registry.log.sequencer import Sequencer
from shared.auth.tokens import Principal
from shared.db.engine import Database, connect
from shared.db.migrations import upgrade
from shared.outbox import Notification, Outbox
from tests.support.running import RunningPlatform

HOLDER_SCOPES = "registry:read registry:transfer registry:retire"
OPERATOR_SCOPES = "registry:admin registry:issue registry:read"
# What every external claim states besides its serials: the day and the words of the other registry's
# cancellation certificate, and where its evidence is.
CLAIM_FIELDS: dict[str, Any] = {
    "cancelled_on": "2024-06-18",
    "beneficiary": "the event's organizer",
    "purpose": "carbon neutrality of the event",
    "evidence_url": "https://registry.example.cn/cancellations/certificate.pdf",
}


def unique_code(prefix: str = "T") -> str:
    """A project code no other test uses (tests share one platform)."""
    return f"{prefix}{secrets.token_hex(5).upper()}"


@dataclass
class Registry:
    """A registry client acting for one owner, through the gateway."""

    http: httpx.Client
    owner: str

    def post(self, path: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        """POST to /registry/v1/<path>, with an Idempotency-Key when given."""
        headers = {"Idempotency-Key": key} if key else {}
        return self.http.post(f"/registry/v1/{path}", json=body, headers=headers)

    def created(self, path: str, body: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        """POST and insist on 201."""
        response = self.post(path, body, key)
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def get(self, path: str, **params: Any) -> httpx.Response:
        """GET /registry/v1/<path>."""
        return self.http.get(f"/registry/v1/{path}", params=params)

    def account(self, kind: str = "organization", name: str = "test account") -> str:
        """Open an account for this owner; return its id."""
        return str(self.created("accounts", {"owner": self.owner, "kind": kind, "name": name})["id"])


@dataclass
class Operator(Registry):
    """The registry operator: files projects and issues credits."""

    def project(self, unit_type: str = "HNCI", category: str = "ocean", new_sink: bool = False) -> dict[str, Any]:
        """File a project with a fresh code."""
        return self.created(
            "projects",
            {
                "name": f"Mangrove blue carbon {unit_type}",
                "code": unique_code(unit_type[:2]),
                "unit_type": unit_type,
                "province": {"HNCI": "CN-HI", "SDCI": "CN-SD"}[unit_type],
                "category": category,
                "methodology": "HNCI-BC-001 mangrove restoration",
                "new_sink": new_sink,
            },
        )

    def issue(self, project_id: str, account_id: str, quantity: int, vintage: int = 2023) -> dict[str, Any]:
        """Issue credits into an account."""
        body = {"project_id": project_id, "account_id": account_id, "vintage": vintage, "quantity": quantity}
        return self.created("issuances", body)


def _client(caller: Any) -> httpx.Client:
    client: httpx.Client = caller.client()
    return client


@pytest.fixture(scope="session")
def operator(platform: RunningPlatform) -> Iterator[Operator]:
    """The registry operator (registry:admin, registry:issue)."""
    caller = platform.register("lingtan:registry-operator", OPERATOR_SCOPES, "registry operator")
    with _client(caller) as http:
        yield Operator(http, caller.owner)


@pytest.fixture
def holder(platform: RunningPlatform) -> Iterator[Registry]:
    """A fresh organization that can hold, transfer and retire credits."""
    caller = platform.register(f"org:{secrets.token_hex(4)}", HOLDER_SCOPES, "holder")
    with _client(caller) as http:
        yield Registry(http, caller.owner)


@pytest.fixture
def public(platform: RunningPlatform) -> Iterator[httpx.Client]:
    """An anonymous client on the gateway (public reads need no token)."""
    with httpx.Client(base_url=platform.url, timeout=30) as http:
        yield http


def principal(owner: str, scopes: str = HOLDER_SCOPES + " " + OPERATOR_SCOPES) -> Principal:
    """A verified caller, for service-level tests that skip HTTP."""
    return Principal(
        client_id="test", owner=owner, scopes=frozenset(scopes.split()), issuer="test", token_id="t", claims={}
    )


@dataclass
class Ledger:
    """A migrated registry database and its outbox, for service-level tests."""

    database: Database
    outbox: Outbox

    def sequence(self) -> int:
        """Give the queued entries their indexes, as the registry does before it answers a write."""
        return Sequencer(self.database, self.outbox).drain()

    def know_event(self, event_id: str, owner: str, *, status: str = "held", seq: int = 1, **facts: Any) -> None:
        """Tell the registry of an event, as accounting's `event.updated` would (open to donations)."""
        today = date.today()
        payload = {
            "id": event_id,
            "owner": owner,
            "status": status,
            "accepts_donations": True,
            "jurisdiction": "CN-HI",
            "starts_at": (today - timedelta(days=5)).isoformat(),
            "ends_at": (today - timedelta(days=2)).isoformat(),
            "expected_participants": 800,
            "actual_participants": None,
            "policy": {"profile_id": "hainan-2023", "band": "500-plus", "confirmation_method": "self_commitment"},
            **facts,
        }
        note = Notification(
            id=str(uuid.uuid4()),
            source="accounting",
            topic="event.updated",
            record_id=event_id,
            seq=seq,
            created_at=datetime.now(UTC),
            payload=payload,
        )
        with self.database.writes() as session, session.begin():
            apply_event(session, note)


@pytest.fixture
def ledger(tmp_path: Path, schema_prefix: str) -> Iterator[Ledger]:
    """A fresh registry database of its own (SQLite file, or a PostgreSQL schema)."""
    url = os.environ.get("LINGTAN_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'registry.db'}"
    database = connect(url, schema=f"{schema_prefix}reg{secrets.token_hex(3)}")
    upgrade("registry", database)
    routes: dict[str, tuple[str, ...]] = {"retirement.": ("disclosure",), "cancellation.": ("disclosure",)}
    yield Ledger(database, Outbox("registry", kernel, routes))
    database.dispose()
