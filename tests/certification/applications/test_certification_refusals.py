"""Refusals through the gateway, each with a reason the organizer can act on, against the real services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.certification.certification_platform import Certification, check, commitment, ok
from tests.support.running import RunningPlatform


@pytest.fixture
def actors(platform: RunningPlatform) -> Iterator[Certification]:
    opened = Certification.open(platform)
    yield opened
    opened.close()


def test_a_shortfall_of_one_gram_is_refused(actors: Certification) -> None:
    # 2,000 meals x 1.5000005 kgCO2e = 3,000.001 kgCO2e: 3,000,001 g to cover; 3,000,000 g retired.
    event_id = actors.covered_event(meals="2000", factor="1.5000005", retired_g=3_000_000)

    refused = actors.organizer.apply(event_id, commitment())

    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"].endswith("/offsets-do-not-cover")
    assert problem["detail"].startswith("Short by 1 g")
    assert problem["coverage"]["details"]["shortfall_g"] == 1


def test_offsets_retired_after_the_deadline_do_not_complete_neutrality(actors: Certification) -> None:
    event_id = actors.covered_event(ended_days_ago=200)

    application = ok(actors.organizer.apply(event_id, commitment()), 201)

    deadline = check(application, "deadline")
    assert deadline["result"] == "fail"
    assert deadline["reason"].startswith("Offsets made after their deadline")
    assert deadline["details"]["neutrality_deadline"] in deadline["reason"]
    assert application["ready"] is False


def test_a_shandong_600_participant_event_without_a_third_party_evaluation_is_refused(
    actors: Certification,
) -> None:
    organizer = actors.organizer
    event_id = organizer.event(jurisdiction="CN-SD", host_type="enterprise", participants=600,
                               name="Shandong Industry Conference")
    organizer.plan(event_id)
    organizer.inventory(event_id, "100", "10")
    account = organizer.account()
    actors.operator.credits(account, 1_000_000, unit_type="SDCI")
    organizer.retire(event_id, account, 1_000_000, unit_type="SDCI")

    by_commitment = ok(organizer.apply(event_id, commitment()), 201)
    by_evaluation = ok(organizer.apply(event_id, {"method": "third_party"}), 201)
    refused = actors.issuer.post(f"/certification/v1/applications/{by_evaluation['id']}/decision",
                                 json={"approve": True})

    assert check(by_commitment, "coverage")["result"] == "pass"
    assert check(by_commitment, "confirmation_method")["result"] == "fail"
    assert "third-party evaluation" in check(by_commitment, "confirmation_method")["reason"]
    assert "none is recorded" in check(by_evaluation, "confirmation_method")["reason"]
    assert refused.status_code == 409
    assert [c["id"] for c in refused.json()["failing_checks"]] == ["confirmation_method"]


def test_an_inventory_not_submitted_is_refused(actors: Certification) -> None:
    organizer = actors.organizer
    event_id = organizer.event()
    organizer.plan(event_id)
    organizer.inventory(event_id, "2000", "1.5", submit=False)

    refused = organizer.apply(event_id, commitment())

    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/not-ready-to-apply")
    assert refused.json()["rule"] == "apply-needs-accounted-inventory"


def test_an_event_still_running_cannot_apply_for_a_certificate(actors: Certification) -> None:
    organizer = actors.organizer
    running = organizer.event(ended_days_ago=-1)  # began three days ago, ends tomorrow
    organizer.plan(running)
    account = organizer.account()
    actors.operator.credits(account, 1_000_000)
    organizer.retire(running, account, 1_000_000)

    refused = organizer.apply(running, commitment())

    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/not-ready-to-apply") and refused.json()["rule"] == "apply-after-end"
    submitted = organizer.http.post(f"/accounting/v1/events/{running}/inventory/submit")
    assert submitted.status_code in (404, 409), "nothing to submit, and not before the end either"


def test_retirements_of_another_event_do_not_count(actors: Certification) -> None:
    organizer = actors.organizer
    ours = organizer.event()
    organizer.plan(ours)
    organizer.inventory(ours, "2000", "1.5")
    theirs = actors.covered_event()

    refused = organizer.apply(ours, commitment())

    assert theirs != ours
    assert refused.status_code == 409
    coverage = refused.json()["coverage"]
    assert coverage["details"]["counted_g"] == 0
    assert coverage["details"]["shortfall_g"] == 3_000_000


def test_another_owner_cannot_apply(actors: Certification, platform: RunningPlatform) -> None:
    event_id = actors.covered_event()
    stranger = Certification.open(platform)
    try:
        response = stranger.organizer.apply(event_id, commitment())
    finally:
        stranger.close()

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert event_id in response.json()["detail"]
