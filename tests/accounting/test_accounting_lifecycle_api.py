"""The guarded lifecycle through the gateway, as a careless integrator or an attacker would try it.

Every refusal is a 409 problem naming its rule, and leaves the event, its inventory versions, the
outbox and disclosure exactly as they were.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.accounting.conftest import Organizer, boundary, event_body, in_days, line
from tests.accounting.test_accounting_notifications import notifications
from tests.support.running import RunningPlatform

TRANSITIONS = {
    "change_facts",
    "set_donations",
    "save_plan",
    "record_inventory",
    "submit_inventory",
    "amend_inventory",
    "apply",
}


def inventory(participants: int = 2800) -> dict[str, Any]:
    """An actual inventory: 1,200 meals at 8 kgCO2e each."""
    return {"lines": [line("catering", "1200", "meal", "catering.meal.proxy")], "actual_participants": participants}


def plan() -> dict[str, Any]:
    """A small implementation plan."""
    return {
        "boundary": boundary(),
        "reduction_measures": [{"name": "No disposable plastics", "expected_kgco2e": "100"}],
        "planned_offsets": [{"unit_type": "HNCI", "quantity_g": 10_000_000}],
    }


def disclosed(platform: RunningPlatform, event_id: str, until: Any = None, seconds: float = 15) -> dict[str, Any]:
    """Disclosure's public view of the event once it has it (and `until(view)` holds, when given)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = httpx.get(f"{platform.url}/disclosure/v1/events/{event_id}")
        if answer.status_code == 200 and (until is None or until(answer.json())):
            found: dict[str, Any] = answer.json()
            return found
        assert time.monotonic() < deadline, f"disclosure did not show {event_id} as expected: {answer.text}"
        time.sleep(0.05)


def settled(platform: RunningPlatform) -> None:
    """Wait until accounting's outbox has delivered everything."""
    deadline = time.monotonic() + 15
    while True:
        ready = httpx.get(f"{platform.service_url('accounting')}/health/ready").json()
        if all(lag["pending"] == 0 for lag in ready.get("outbox", {}).values()):
            return
        assert time.monotonic() < deadline, ready
        time.sleep(0.05)


def everything(platform: RunningPlatform, organizer: Organizer, event_id: str) -> dict[str, Any]:
    """What a refusal must leave as it was: the event, its versions, its notifications and its disclosure."""
    settled(platform)
    return {
        "event": organizer.event(event_id),
        "versions": organizer.get(f"events/{event_id}/inventory/versions").json(),
        "inventory": organizer.get(f"events/{event_id}/inventory").status_code,
        "notifications": notifications(platform, event_id),
        "disclosed": disclosed(platform, event_id),
    }


def refused(response: httpx.Response, slug: str, rule: str) -> dict[str, Any]:
    """Insist on a 409 problem of type `slug` naming `rule`."""
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"].endswith(f"/{slug}")
    assert problem["rule"] == rule
    return problem


def test_a_future_event_gets_no_actual_inventory_and_nothing_changes(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    event = organizer.create_event(starts_at=in_days(300), ends_at=in_days(302))
    before = everything(platform, organizer, event["id"])
    problem = refused(
        organizer.put(f"events/{event['id']}/inventory", inventory()), "event-not-begun", "actual-inventory-after-start"
    )
    assert problem["transition"] == "record_inventory"
    assert problem["starts_at"] == event["starts_at"]
    assert event["starts_at"] in problem["detail"]
    # Nothing to submit or amend either, and the lifecycle says why before anyone tries.
    refused(organizer.post(f"events/{event['id']}/inventory/submit"), "event-not-ended", "submit-after-end")
    assert everything(platform, organizer, event["id"]) == before
    assert before["inventory"] == 404
    assert before["versions"]["items"] == []
    assert before["event"]["status"] == "planned"
    assert before["event"]["actual_participants"] is None
    assert before["disclosed"]["status"] == "planned"
    transitions = before["event"]["lifecycle"]["transitions"]
    assert set(transitions) == TRANSITIONS
    assert transitions["record_inventory"]["allowed"] is False
    assert transitions["record_inventory"]["rule"] == "actual-inventory-after-start"
    assert transitions["record_inventory"]["reason"] == problem["detail"]
    assert transitions["save_plan"] == {"allowed": True, "rule": "plan-until-accounted", "reason": None}


def test_an_event_under_way_takes_its_inventory_but_is_not_submitted_before_it_ends(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    event = organizer.create_event(starts_at=in_days(-2), ends_at=in_days(2))
    written = organizer.put(f"events/{event['id']}/inventory", inventory())
    assert written.status_code == 200, written.text
    before = everything(platform, organizer, event["id"])
    problem = refused(organizer.post(f"events/{event['id']}/inventory/submit"), "event-not-ended", "submit-after-end")
    assert problem["ends_at"] == event["ends_at"]
    assert everything(platform, organizer, event["id"]) == before
    assert [v["status"] for v in before["versions"]["items"]] == ["draft"]
    assert before["event"]["accounted"] is None
    transitions = before["event"]["lifecycle"]["transitions"]
    assert transitions["record_inventory"]["allowed"] is True
    assert transitions["submit_inventory"]["allowed"] is False
    assert transitions["apply"]["allowed"] is False
    assert transitions["apply"]["rule"] == "apply-after-end"


def test_an_event_with_an_actual_inventory_cannot_be_moved_into_the_future(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    event = organizer.create_event(starts_at=in_days(-6), ends_at=in_days(-4))
    assert organizer.put(f"events/{event['id']}/inventory", inventory()).status_code == 200
    before = everything(platform, organizer, event["id"])
    moved = organizer.http.patch(
        organizer.url(f"events/{event['id']}"), json={"starts_at": in_days(200), "ends_at": in_days(201)}
    )
    problem = refused(moved, "event-not-begun", "actual-inventory-after-start")
    assert problem["transition"] == "change_facts"
    assert everything(platform, organizer, event["id"]) == before
    # Within the past the dates may still be corrected.
    corrected = organizer.http.patch(organizer.url(f"events/{event['id']}"), json={"starts_at": in_days(-5)})
    assert corrected.status_code == 200, corrected.text


def test_only_an_ended_and_accounted_event_may_be_applied_for(organizer: Organizer) -> None:
    event = organizer.create_event(starts_at=in_days(-6), ends_at=in_days(-4))
    apply = organizer.event(event["id"])["lifecycle"]["transitions"]["apply"]
    assert apply["allowed"] is False
    assert apply["rule"] == "apply-needs-accounted-inventory"
    assert "held" in apply["reason"]
    organizer.put(f"events/{event['id']}/inventory", inventory())
    assert organizer.post(f"events/{event['id']}/inventory/submit").status_code == 200
    accounted = organizer.event(event["id"])
    apply = accounted["lifecycle"]["transitions"]["apply"]
    assert apply == {"allowed": True, "rule": "apply-after-end", "reason": None}
    # Accounted: the facts and the plan are fixed, and the problems say which rule holds them.
    refused(
        organizer.http.patch(organizer.url(f"events/{event['id']}"), json={"name": "Renamed"}),
        "event-locked",
        "facts-until-accounted",
    )
    refused(organizer.put(f"events/{event['id']}/plan", plan()), "event-locked", "plan-until-accounted")
    assert organizer.event(event["id"]) == accounted


def test_donations_are_opened_and_closed_by_the_owner_in_any_status(organizer: Organizer, rival: Organizer) -> None:
    closed = organizer.create_event()
    assert closed["accepts_donations"] is False
    event = organizer.create_event(starts_at=in_days(-6), ends_at=in_days(-4), accepts_donations=True)
    assert event["accepts_donations"] is True
    organizer.put(f"events/{event['id']}/inventory", inventory())
    organizer.post(f"events/{event['id']}/inventory/submit")
    # Accounted: the facts are fixed, but offsets are gathered now, so donations may still be opened or closed.
    path = organizer.url(f"events/{event['id']}")
    shut = organizer.http.patch(path, json={"accepts_donations": False})
    assert shut.status_code == 200, shut.text
    assert shut.json()["accepts_donations"] is False
    assert shut.json()["lifecycle"]["transitions"]["set_donations"]["allowed"] is True
    # Together with a fact, the whole correction is refused and nothing changes.
    both = organizer.http.patch(path, json={"accepts_donations": True, "venue": "Elsewhere"})
    refused(both, "event-locked", "facts-until-accounted")
    assert organizer.event(event["id"])["accepts_donations"] is False
    assert rival.http.patch(rival.url(f"events/{event['id']}"), json={"accepts_donations": True}).status_code == 403
    for bad in ("yes", 1, None):
        assert organizer.http.patch(path, json={"accepts_donations": bad}).status_code == 422
    assert organizer.post("events", event_body(accepts_donations="true")).status_code == 422


def test_a_plan_made_after_the_start_is_accepted_marked_late_and_shown_so(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    on_time = organizer.create_event(starts_at=in_days(30), ends_at=in_days(31))
    saved = organizer.put(f"events/{on_time['id']}/plan", plan())
    assert saved.status_code == 200, saved.text
    assert saved.json()["late"] is False
    assert organizer.event(on_time["id"])["lifecycle"]["late_plan"] is False

    late = organizer.create_event(starts_at=in_days(-3), ends_at=in_days(-2), jurisdiction="CN-SD")
    saved = organizer.put(f"events/{late['id']}/plan", plan())
    assert saved.status_code == 200, saved.text
    assert saved.json()["late"] is True
    assert organizer.get(f"events/{late['id']}/plan").json()["late"] is True
    shown = organizer.event(late["id"])
    assert shown["plan"]["late"] is True
    assert shown["lifecycle"]["late_plan"] is True
    assert notifications(platform, late["id"])[-1][2]["plan"]["late"] is True
    public = disclosed(platform, late["id"], lambda view: view.get("late_plan") is True)
    assert public["late_plan"] is True
    for lang, words in (("zh", "活动开始后制定"), ("en", "made after the event started")):
        page = httpx.get(f"{platform.url}/disclosure/events/{late['id']}", params={"lang": lang})
        assert page.status_code == 200
        assert words in page.text
    assert disclosed(platform, on_time["id"], lambda view: view.get("late_plan") is not None)["late_plan"] is False
    on_time_page = httpx.get(f"{platform.url}/disclosure/events/{on_time['id']}", params={"lang": "en"})
    assert on_time_page.status_code == 200
    assert "made after the event started" not in on_time_page.text


def test_a_late_plan_stays_late_and_a_date_correction_cannot_make_it_timely(organizer: Organizer) -> None:
    # Saved "on time" for dates in the future, then the dates corrected to the real, past ones: late.
    event = organizer.create_event(starts_at=in_days(100), ends_at=in_days(101))
    organizer.put(f"events/{event['id']}/plan", plan())
    path = organizer.url(f"events/{event['id']}")
    moved = organizer.http.patch(path, json={"starts_at": in_days(-4), "ends_at": in_days(-3)})
    assert moved.status_code == 200, moved.text
    assert moved.json()["plan"]["late"] is True
    # Moved back to the future, and saved again: once late, late.
    back = organizer.http.patch(path, json={"starts_at": in_days(100), "ends_at": in_days(101)})
    assert back.json()["plan"]["late"] is True
    assert organizer.put(f"events/{event['id']}/plan", plan()).json()["late"] is True
    assert organizer.event(event["id"])["lifecycle"]["late_plan"] is True
