"""The actual participant count decides the band: a change (and so of confirmation method) is recorded and
disclosed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from services.accounting.events.models import Event
from services.accounting.events.policy import resolve_policy
from services.accounting.events.service import MAX_BAND_CHANGES, decide_band
from services.accounting.jsontext import dumps, loads
from services.accounting.policies.vocabulary import HostType
from services.accounting.problems import BandChangesExhausted
from tests.accounting.conftest import Organizer, in_days, line
from tests.accounting.test_accounting_lifecycle_api import disclosed
from tests.accounting.test_accounting_notifications import notifications
from tests.support.running import RunningPlatform


def instant(text: str) -> datetime:
    """An ISO 8601 instant, however its offset is written."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def inventory(participants: int) -> dict[str, Any]:
    """An actual inventory with this headcount."""
    return {"lines": [line("catering", "900", "meal", "catering.meal.proxy")], "actual_participants": participants}


def shandong_forum(organizer: Organizer, expected: int) -> dict[str, Any]:
    """A Shandong enterprise forum held last week."""
    return organizer.create_event(
        name="Jinan Industry Forum",
        jurisdiction="CN-SD",
        host_type="enterprise",
        kind="forum",
        expected_participants=expected,
        starts_at=in_days(-8),
        ends_at=in_days(-7),
    )


def test_600_came_to_a_shandong_forum_planned_for_450_so_a_third_party_must_confirm(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    event = shandong_forum(organizer, 450)
    assert (event["policy"]["band"], event["policy"]["confirmation_method"]) == ("200-499", "self_commitment")
    assert event["band_changes"] == []

    written = organizer.put(f"events/{event['id']}/inventory", inventory(600))
    assert written.status_code == 200, written.text
    held = organizer.event(event["id"])
    assert held["actual_participants"] == 600
    assert held["policy"]["band"] == "500-plus"
    assert held["policy"]["confirmation_method"] == "third_party"
    assert held["policy"]["accepted_confirmation_methods"] == ["third_party"]
    [change] = held["band_changes"]
    assert {key: value for key, value in change.items() if key != "changed_at"} == {
        "from_band": "200-499",
        "to_band": "500-plus",
        "from_method": "self_commitment",
        "to_method": "third_party",
        "participants": 600,
        "basis": "actual",
    }
    published = notifications(platform, event["id"])[-1][2]
    [announced] = published["band_changes"]
    assert {**announced, "changed_at": instant(announced["changed_at"])} == {
        **change,
        "changed_at": instant(change["changed_at"]),
    }
    assert published["policy"]["band"] == "500-plus"
    assert published["policy"]["confirmation_method"] == "third_party"

    # Submitting the same count changes nothing more; the accounted event keeps the band the count decided.
    assert organizer.post(f"events/{event['id']}/inventory/submit").status_code == 200
    accounted = organizer.event(event["id"])
    assert accounted["band_changes"] == held["band_changes"]
    assert accounted["policy"]["band"] == "500-plus"

    public = disclosed(platform, event["id"], lambda view: view["status"] == "accounted")
    assert public["confirmation_method"] == "third_party"
    assert public["actual_participants"] == 600
    [shown] = public["band_changes"]
    assert (shown["from_band"], shown["to_band"], shown["participants"]) == ("200-499", "500-plus", 600)
    assert (shown["from_method"], shown["to_method"]) == ("self_commitment", "third_party")
    for lang, words in (
        ("zh", ["参与规模档位变更", "自我承诺 → 第三方评价", "实际参与人数: 600"]),
        ("en", ["Change of participant band", "Self-commitment → Third-party evaluation", "Actual participants: 600"]),
    ):
        page = httpx.get(f"{platform.url}/disclosure/events/{event['id']}", params={"lang": lang})
        assert page.status_code == 200
        for text in words:
            assert text in page.text, (lang, text)
        assert "200-499 → 500-plus" in page.text


def test_a_corrected_draft_count_moves_the_band_back_and_both_changes_stay_on_record(organizer: Organizer) -> None:
    event = shandong_forum(organizer, 450)
    organizer.put(f"events/{event['id']}/inventory", inventory(600))
    organizer.put(f"events/{event['id']}/inventory", inventory(600))
    organizer.put(f"events/{event['id']}/inventory", inventory(480))
    changes = organizer.event(event["id"])["band_changes"]
    assert [(c["from_band"], c["to_band"], c["participants"]) for c in changes] == [
        ("200-499", "500-plus", 600),
        ("500-plus", "200-499", 480),
    ]
    assert organizer.event(event["id"])["policy"]["confirmation_method"] == "self_commitment"


def test_an_amendment_decides_the_band_when_it_is_submitted(organizer: Organizer) -> None:
    event = shandong_forum(organizer, 320)
    organizer.put(f"events/{event['id']}/inventory", inventory(318))
    organizer.post(f"events/{event['id']}/inventory/submit")
    amended = organizer.post(f"events/{event['id']}/inventory/amendments", inventory(512))
    assert amended.status_code == 201, amended.text
    # The draft amendment does not change the public count or the band until it is submitted.
    assert organizer.event(event["id"])["policy"]["band"] == "200-499"
    assert organizer.post(f"events/{event['id']}/inventory/submit").status_code == 200
    after = organizer.event(event["id"])
    assert (after["actual_participants"], after["policy"]["band"]) == (512, "500-plus")
    assert [c["to_method"] for c in after["band_changes"]] == ["third_party"]


def test_a_corrected_estimate_before_the_event_is_not_a_band_change(organizer: Organizer) -> None:
    event = organizer.create_event(jurisdiction="CN-SD", host_type="enterprise", expected_participants=450)
    changed = organizer.http.patch(organizer.url(f"events/{event['id']}"), json={"expected_participants": 650})
    assert changed.json()["policy"]["band"] == "500-plus"
    assert changed.json()["band_changes"] == []


def test_where_the_profile_hides_the_scale_the_change_is_disclosed_without_the_count(
    platform: RunningPlatform, organizer: Organizer
) -> None:
    event = organizer.create_event(expected_participants=480, starts_at=in_days(-5), ends_at=in_days(-4))
    assert event["policy"]["band"] == "government-below-500"
    organizer.put(f"events/{event['id']}/inventory", inventory(530))
    assert organizer.event(event["id"])["policy"]["band"] == "government-500-plus"
    public = disclosed(platform, event["id"], lambda view: bool(view["band_changes"]))
    [shown] = public["band_changes"]
    assert (shown["from_band"], shown["to_band"], shown["participants"]) == (
        "government-below-500",
        "government-500-plus",
        None,
    )
    assert "actual_participants" not in public


def test_the_record_of_band_changes_is_bounded_and_never_pruned() -> None:
    ends = date(2027, 6, 1)
    event = Event(id="evt_x", jurisdiction="CN-SD", host_type="enterprise", expected_participants=450, ends_on=ends)
    event.policy = dumps(resolve_policy("CN-SD", HostType.ENTERPRISE, 450, ends)).decode()
    event.band_changes = None
    stamp = datetime(2027, 6, 2, tzinfo=UTC)
    for count in (600, 480) * (MAX_BAND_CHANGES // 2):
        event.actual_participants = count
        decide_band(event, stamp)
    assert len(loads(event.band_changes)) == MAX_BAND_CHANGES
    event.actual_participants = 600
    with pytest.raises(BandChangesExhausted):
        decide_band(event, stamp)
    assert len(loads(event.band_changes)) == MAX_BAND_CHANGES
