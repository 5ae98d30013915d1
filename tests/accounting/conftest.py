"""Accounting fixtures: organizers acting through the gateway on the running platform, and event bodies."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from services.accounting.inventory.vocabulary import Category
from tests.support.running import RunningPlatform

ORGANIZER_SCOPES = "events:read events:write"
SOURCE_TYPES = [category.value for category in Category]


def in_days(days: int) -> str:
    """A date `days` from today (events in the future are still planned)."""
    return (date.today() + timedelta(days=days)).isoformat()


def event_body(**changes: Any) -> dict[str, Any]:
    """A valid new event (a Hainan government exhibition, 30,000 people, two months ahead), changed as told."""
    body: dict[str, Any] = {
        "name": "Hainan International Consumer Products Expo",
        "organizers": ["Hainan Provincial Department of Commerce"],
        "kind": "exhibition",
        "jurisdiction": "CN-HI",
        "host_type": "government",
        "venue": "Hainan International Convention and Exhibition Center, Haikou",
        "starts_at": in_days(60),
        "ends_at": in_days(63),
        "expected_participants": 30000,
    }
    body.update(changes)
    return body


def boundary(excluded: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every source type of the guideline, included unless named."""
    return [
        {"source_type": s, "included": s not in excluded, "reason": "out of scope" if s in excluded else "in scope"}
        for s in SOURCE_TYPES
    ]


def line(category: str, quantity: str, unit: str, factor_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """An actual activity line, measured, in the holding phase unless told."""
    body: dict[str, Any] = {
        "category": category,
        "quantity": quantity,
        "unit": unit,
        "data_quality": "measured",
        "phase": "holding",
    }
    if factor_id is not None:
        body["factor_id"] = factor_id
    body.update(extra)
    return body


@dataclass
class Organizer:
    """An organizer's client through the gateway, acting for `owner`."""

    http: httpx.Client
    owner: str

    def url(self, path: str) -> str:
        """The gateway path of an accounting API path."""
        return f"/accounting/v1/{path}"

    def get(self, path: str, **params: Any) -> httpx.Response:
        """GET an accounting path."""
        return self.http.get(self.url(path), params=params)

    def post(self, path: str, body: Any = None, **headers: str) -> httpx.Response:
        """POST an accounting path."""
        return self.http.post(self.url(path), json=body, headers=headers)

    def put(self, path: str, body: Any) -> httpx.Response:
        """PUT an accounting path."""
        return self.http.put(self.url(path), json=body)

    def create_event(self, **changes: Any) -> dict[str, Any]:
        """Create an event and insist on 201."""
        response = self.post("events", event_body(**changes))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def event(self, event_id: str) -> dict[str, Any]:
        """Read an event and insist on 200."""
        response = self.get(f"events/{event_id}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found


def _organizer(platform: RunningPlatform, scopes: str = ORGANIZER_SCOPES) -> Iterator[Organizer]:
    owner = f"org:{secrets.token_hex(4)}"
    with platform.register(owner, scopes).client() as http:
        yield Organizer(http, owner)


@pytest.fixture
def organizer(platform: RunningPlatform) -> Iterator[Organizer]:
    """An organizer with events:read and events:write, its own owner per test."""
    yield from _organizer(platform)


@pytest.fixture
def rival(platform: RunningPlatform) -> Iterator[Organizer]:
    """Another organizer, who owns none of `organizer`'s events."""
    yield from _organizer(platform)


@pytest.fixture
def reader(platform: RunningPlatform) -> Iterator[Organizer]:
    """A client that may only read events."""
    yield from _organizer(platform, "events:read")
