"""Writers racing on one event: every answer is a success or a 409 to retry, and the record stays whole."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.accounting.conftest import Organizer, in_days, line
from tests.support.running import RunningPlatform

WRITERS = 6


def _together(platform: RunningPlatform, organizer: Organizer, method: str, path: str, bodies: list[Any]) -> list[int]:
    headers = {"Authorization": organizer.http.headers["Authorization"]}

    def send(body: Any) -> int:
        with httpx.Client(base_url=platform.url, headers=headers, timeout=60) as client:
            return client.request(method, f"/accounting/v1/{path}", json=body).status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_racing_drafts_and_submissions_leave_one_consistent_inventory(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    event = organizer.create_event(starts_at=in_days(-4), ends_at=in_days(-3))
    path = f"events/{event['id']}/inventory"
    bodies = [
        {"lines": [line("catering", str(100 + n), "meal", "catering.meal.proxy")], "actual_participants": n}
        for n in range(WRITERS)
    ]
    drafts = _together(platform, organizer, "PUT", path, bodies)
    assert set(drafts) <= {200, 409}
    assert 200 in drafts
    submits = _together(platform, organizer, "POST", f"{path}/submit", [None] * WRITERS)
    assert sorted(submits) == [200] + [409] * (WRITERS - 1)
    versions = organizer.get(f"{path}/versions").json()["items"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "submitted")]
    stored = organizer.get(path).json()
    accounted = organizer.event(event["id"])["accounted"]
    # Whichever draft won, the event's accounted figures are that draft's: 8 kgCO2e a meal.
    meals = int(stored["lines"][0]["quantity"])
    assert stored["total_kgco2e"] == accounted["total_kgco2e"] == str(meals * 8)
    assert organizer.event(event["id"])["actual_participants"] == stored["actual_participants"]
