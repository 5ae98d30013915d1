"""Talking to a running platform's disclosure service as the other services do."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from shared.auth.scopes import service_client_id, service_client_secret
from shared.outbox import Notification, NotificationBatch
from tests.support.running import RunningPlatform

T = TypeVar("T")


def service_token(platform: RunningPlatform, service: str, scope: str = "notifications:deliver") -> str:
    """An access token of a service's own client."""
    assert platform.settings is not None
    secret = service_client_secret(service, platform.settings.service_client_secret)
    response = httpx.post(
        f"{platform.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(service_client_id(service), secret),
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def post_inbox(platform: RunningPlatform, sender: str, *notes: Notification) -> httpx.Response:
    """POST notifications to disclosure's inbox as `sender`'s client, the way its relay does."""
    batch = NotificationBatch(notifications=list(notes)).model_dump(mode="json")
    return httpx.post(
        f"{platform.service_url('disclosure')}/v1/inbox",
        json=batch,
        headers={"Authorization": f"Bearer {service_token(platform, sender)}"},
        timeout=30,
    )


def seed(platform: RunningPlatform, *notes: Notification) -> None:
    """Deliver notifications, each batch as the service that sends its topic."""
    by_source: dict[str, list[Notification]] = {}
    for item in notes:
        by_source.setdefault(item.source, []).append(item)
    for source, batch in by_source.items():
        response = post_inbox(platform, source, *batch)
        response.raise_for_status()


def eventually(check: Callable[[], T | None], timeout: float = 30.0, what: str = "condition") -> T:
    """Poll until `check` returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def get_json(url: str, **params: Any) -> Any:
    """GET a JSON document."""
    response = httpx.get(url, params=params, timeout=30)
    response.raise_for_status()
    return response.json()
