"""Events through the gateway: the policy each band resolves to, bad input, lists, owners and scopes."""

from __future__ import annotations

import httpx
import pytest

from tests.accounting.conftest import Organizer, event_body, in_days
from tests.support.running import RunningPlatform

# (jurisdiction, host type, participants) -> (profile, band, neutrality, primary method, accepted methods)
BANDS = [
    ("CN-HI", "government", 499, "hainan-2023", "government-below-500", "voluntary", ["self_commitment"]),
    (
        "CN-HI",
        "government",
        500,
        "hainan-2023",
        "government-500-plus",
        "encouraged",
        ["self_commitment", "third_party"],
    ),
    ("CN-HI", "enterprise", 500, "hainan-2023", "other-hosts", "voluntary", ["self_commitment"]),
    ("CN-HI", "association", 199, "hainan-2023", "other-hosts", "voluntary", ["self_commitment"]),
    ("CN-SD", "enterprise", 199, "shandong-2023", "below-200-other", "voluntary", ["self_commitment", "third_party"]),
    (
        "CN-SD",
        "government",
        199,
        "shandong-2023",
        "below-200-government",
        "encouraged",
        ["self_commitment", "third_party"],
    ),
    ("CN-SD", "enterprise", 200, "shandong-2023", "200-499", "encouraged", ["self_commitment", "third_party"]),
    ("CN-SD", "government", 499, "shandong-2023", "200-499", "encouraged", ["self_commitment", "third_party"]),
    ("CN-SD", "enterprise", 500, "shandong-2023", "500-plus", "encouraged", ["third_party"]),
    ("CN-SD", "government", 500, "shandong-2023", "500-plus", "encouraged", ["third_party"]),
]


@pytest.mark.parametrize(("jurisdiction", "host", "participants", "profile", "band", "neutrality", "methods"), BANDS)
def test_creating_an_event_resolves_the_policy_of_its_band(
    organizer: Organizer,
    jurisdiction: str,
    host: str,
    participants: int,
    profile: str,
    band: str,
    neutrality: str,
    methods: list[str],
) -> None:
    event = organizer.create_event(jurisdiction=jurisdiction, host_type=host, expected_participants=participants)
    policy = event["policy"]
    assert event["id"].startswith("evt_")
    assert event["owner"] == organizer.owner
    assert event["status"] == "planned"
    assert (policy["profile_id"], policy["band"], policy["neutrality"]) == (profile, band, neutrality)
    assert policy["accepted_confirmation_methods"] == methods
    assert policy["confirmation_method"] == methods[0]
    assert (policy["self_commitment"] is None) == ("self_commitment" not in methods)
    assert policy["version"] == "1.0.0"


def test_the_deadline_is_six_months_after_the_last_day_clamped_to_the_month(organizer: Organizer) -> None:
    event = organizer.create_event(starts_at="2027-08-28", ends_at="2027-08-31")
    # 31 August 2027 + 6 months: there is no 31 February; 2028 is a leap year, so 29 February.
    assert event["policy"]["deadline"] == "2028-02-29"
    assert event["policy"]["sink_project_deadlines"] == []
    assert event["policy"]["deadline_source"]["clause"] == "三、实施流程（五）"


def test_shandong_events_carry_the_longer_deadlines_of_new_sink_projects(organizer: Organizer) -> None:
    event = organizer.create_event(jurisdiction="CN-SD", starts_at="2027-03-01", ends_at="2027-03-02")
    policy = event["policy"]
    assert policy["deadline"] == "2027-09-02"
    deadlines = {d["id"]: d["due_on"] for d in policy["sink_project_deadlines"]}
    assert deadlines == {"sink-project-application": "2028-03-02", "sink-measurement-and-validation": "2029-03-02"}
    assert [c["id"] for c in policy["offset_constraints"]] == ["new-sink-exclusive"]


def test_the_policy_lists_the_priority_tiers_of_the_province(organizer: Organizer) -> None:
    hainan = organizer.create_event()["policy"]["priority"]
    shandong = organizer.create_event(jurisdiction="CN-SD")["policy"]["priority"]
    assert [t["tier"] for t in hainan] == [1, 2, 3, 4, 5]
    assert hainan[0]["kinds"] == ["afforestation", "key_emitter_allowance_donation", "personal_carbon_inclusion"]
    assert hainan[1]["unit_types"] == ["HNCI"]
    assert hainan[4]["kinds"] == ["cer", "vcu"]
    assert [t["tier"] for t in shandong] == [1, 2, 3]
    assert shandong[0]["unit_types"] == ["SDCI"]
    assert shandong[2]["kinds"] == ["cea", "key_emitter_allowance_donation"]


def test_disclosure_fields_are_those_of_the_band(organizer: Organizer) -> None:
    hainan = organizer.create_event()["policy"]
    assert hainan["disclosure_fields"] == [
        "event_name",
        "organizers",
        "dates",
        "accounted_emissions",
        "offset_method",
        "cancellations",
    ]
    shandong = organizer.create_event(jurisdiction="CN-SD", expected_participants=320)["policy"]
    assert "accounting_boundary" in shandong["disclosure_fields"]
    assert "reduction_measures" in shandong["disclosure_fields"]
    assert "neutrality_date" in shandong["disclosure_fields"]


def test_a_province_without_a_profile_falls_back_to_the_national_guideline(organizer: Organizer) -> None:
    event = organizer.create_event(jurisdiction="cn-gd", starts_at="2027-05-01", ends_at="2027-05-03")
    assert event["jurisdiction"] == "CN-GD"
    assert event["policy"]["profile_id"] == "national-2019"
    assert event["policy"]["fallback"] is True
    assert event["policy"]["deadline"] == "2028-05-03"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"starts_at": "2027-05-03", "ends_at": "2027-05-01"}, "invalid-event"),
        ({"starts_at": "2027-01-01", "ends_at": "2028-01-02"}, "invalid-event"),
        ({"jurisdiction": "Hainan"}, "unknown-jurisdiction"),
        ({"jurisdiction": "US-CA"}, "unknown-jurisdiction"),
        ({"expected_participants": 0}, "invalid-input"),
        ({"expected_participants": -5}, "invalid-input"),
        ({"expected_participants": 10_000_001}, "invalid-input"),
        ({"expected_participants": "500"}, "invalid-input"),
        ({"expected_participants": 500.5}, "invalid-input"),
        ({"kind": "wedding"}, "invalid-input"),
        ({"host_type": "prince"}, "invalid-input"),
        ({"organizers": []}, "invalid-input"),
        ({"name": "x" * 201}, "invalid-input"),
        ({"colour": "green"}, "invalid-input"),
    ],
)
def test_bad_event_facts_are_refused_with_a_problem_and_nothing_is_created(
    organizer: Organizer, changes: dict[str, object], problem: str
) -> None:
    response = organizer.post("events", event_body(**changes))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith(f"/{problem}")
    assert response.json()["detail"]
    assert organizer.get("events", owner=organizer.owner).json()["items"] == []


def test_an_event_that_ends_before_it_starts_is_explained(organizer: Organizer) -> None:
    response = organizer.post("events", event_body(starts_at="2027-05-03", ends_at="2027-05-01"))
    assert "before it starts" in response.json()["detail"]


def test_writing_needs_events_write_and_reading_needs_a_token(platform: RunningPlatform, reader: Organizer) -> None:
    refused = reader.post("events", event_body())
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/insufficient-scope")
    anonymous = httpx.get(f"{platform.url}/accounting/v1/events")
    assert anonymous.status_code == 401
    assert reader.get("events").status_code == 200


def test_anyone_with_events_read_reads_an_event(organizer: Organizer, reader: Organizer) -> None:
    event = organizer.create_event()
    assert reader.event(event["id"]) == organizer.event(event["id"])
    assert reader.get("events/evt_doesnotexist").status_code == 404


def test_lists_filter_and_page_with_a_cursor(organizer: Organizer) -> None:
    ids = [organizer.create_event(name=f"Forum {n}", jurisdiction="CN-SD")["id"] for n in range(3)]
    organizer.create_event(jurisdiction="CN-HI")
    first = organizer.get("events", owner=organizer.owner, jurisdiction="cn-sd", limit=2).json()
    assert [e["id"] for e in first["items"]] == [ids[2], ids[1]]
    second = organizer.get("events", owner=organizer.owner, jurisdiction="CN-SD", limit=2, cursor=first["next_cursor"])
    assert [e["id"] for e in second.json()["items"]] == [ids[0]]
    assert second.json()["next_cursor"] is None
    planned = organizer.get("events", owner=organizer.owner, status="planned").json()["items"]
    assert len(planned) == 4
    assert organizer.get("events", owner=organizer.owner, status="held").json()["items"] == []


def test_page_size_is_capped_and_cursors_cannot_be_forged(organizer: Organizer) -> None:
    assert organizer.get("events", limit=201).status_code == 422
    forged = organizer.get("events", cursor="eyJwayI6MX0")
    assert forged.status_code == 400
    assert forged.json()["type"].endswith("/bad-request")


def test_an_event_whose_last_day_has_passed_is_held(organizer: Organizer) -> None:
    event = organizer.create_event(starts_at=in_days(-10), ends_at=in_days(-8))
    assert event["status"] == "held"
    held = organizer.get("events", owner=organizer.owner, status="held").json()["items"]
    assert [e["id"] for e in held] == [event["id"]]


def test_the_owner_corrects_an_event_and_the_policy_follows(organizer: Organizer) -> None:
    event = organizer.create_event(expected_participants=499)
    assert event["policy"]["band"] == "government-below-500"
    response = organizer.http.patch(organizer.url(f"events/{event['id']}"), json={"expected_participants": 500})
    assert response.status_code == 200, response.text
    assert response.json()["policy"]["band"] == "government-500-plus"
    assert response.json()["revision"] == event["revision"] + 1


def test_another_owner_cannot_change_an_event(organizer: Organizer, rival: Organizer) -> None:
    event = organizer.create_event()
    response = rival.http.patch(rival.url(f"events/{event['id']}"), json={"name": "Hijacked"})
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")
    assert organizer.event(event["id"])["name"] == event["name"]


def test_a_correction_is_checked_like_a_new_event(organizer: Organizer) -> None:
    event = organizer.create_event()
    response = organizer.http.patch(organizer.url(f"events/{event['id']}"), json={"ends_at": in_days(1)})
    assert response.status_code == 422
    assert response.json()["type"].endswith("/invalid-event")
    assert organizer.event(event["id"])["ends_at"] == event["ends_at"]
    empty = organizer.http.patch(organizer.url(f"events/{event['id']}"), json={})
    assert empty.status_code == 422


def test_a_repeated_idempotency_key_creates_the_event_once(organizer: Organizer) -> None:
    first = organizer.post("events", event_body(), **{"Idempotency-Key": "create-expo-1"})
    again = organizer.post("events", event_body(), **{"Idempotency-Key": "create-expo-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert len(organizer.get("events", owner=organizer.owner).json()["items"]) == 1
    other = organizer.post("events", event_body(name="Another"), **{"Idempotency-Key": "create-expo-1"})
    assert other.status_code == 409
