"""Applying for a certificate: each check with its result and reason, against fakes at the HTTP boundary."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from services.certification.applications.models import Application
from tests.certification.certification_local import (
    EVALUATOR,
    ISSUER,
    ORGANIZER,
    LocalCertification,
    apply,
    check,
    commitment,
    coverage,
)

APPLY = "certification:apply"
CHINA = timezone(timedelta(hours=8))


def stored_applications(service: LocalCertification) -> int:
    with service.database.reads() as session:
        return int(session.execute(select(func.count()).select_from(Application)).scalar_one())


def test_a_covered_hainan_event_passes_every_required_check(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="1000.000")
    service.upstream.registry.retire(event["id"], 1_000_000)

    response = apply(service, event)

    assert response.status_code == 201, response.text
    application = response.json()
    assert application["status"] == "open"
    assert application["ready"] is True
    assert [c["id"] for c in application["checks"]] == [
        "inventory_submitted", "coverage", "deadline", "confirmation_method", "priority_order",
        "reductions_before_offsets",
    ]
    assert {c["id"]: c["result"] for c in application["checks"]} == {
        "inventory_submitted": "pass", "coverage": "pass", "deadline": "pass", "confirmation_method": "pass",
        "priority_order": "advisory", "reductions_before_offsets": "pass",
    }
    assert [c["required"] for c in application["checks"]] == [True, True, True, True, False, True]
    assert application["owner"] == ORGANIZER
    assert application["applied_on"] == datetime.now(CHINA).date().isoformat()
    assert check(application, "coverage")["details"]["counted_g"] == 1_000_000
    assert check(application, "coverage")["details"]["required_g"] == 1_000_000


def test_a_shortfall_of_one_gram_is_refused_and_says_so(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="1000.001")
    service.upstream.registry.retire(event["id"], 1_000_000)

    response = apply(service, event)

    assert response.status_code == 409
    short = coverage(response)
    assert short["reason"].startswith("Short by 1 g")
    assert short["details"]["shortfall_g"] == 1
    assert stored_applications(service) == 0


def test_a_fraction_of_a_gram_still_needs_the_whole_gram(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="1000.0000001")
    service.upstream.registry.retire(event["id"], 1_000_000)
    assert coverage(apply(service, event))["details"]["required_g"] == 1_000_001

    exact = service.upstream.accounting.event(total_kgco2e="999.9999999")
    service.upstream.registry.retire(exact["id"], 1_000_000)
    assert coverage(apply(service, exact))["result"] == "pass"


def test_retirements_for_another_event_do_not_count(service: LocalCertification) -> None:
    ours = service.upstream.accounting.event(total_kgco2e="1000")
    theirs = service.upstream.accounting.event(total_kgco2e="1000")
    service.upstream.registry.retire(theirs["id"], 1_000_000)

    counted = coverage(apply(service, ours))

    assert counted["result"] == "fail"
    assert counted["details"]["counted_g"] == 0


def test_a_listing_that_claims_another_events_retirement_is_not_counted(service: LocalCertification) -> None:
    ours = service.upstream.accounting.event(total_kgco2e="1000")
    theirs = service.upstream.accounting.event(total_kgco2e="1000")
    record = service.upstream.registry.retire(theirs["id"], 1_000_000)
    # The registry lists it for our event, but its log entry says otherwise.
    record["event_id"] = ours["id"]

    counted = coverage(apply(service, ours))

    assert counted["result"] == "fail"
    assert counted["details"]["counted_g"] == 0
    refused = counted["details"]["not_counted"]
    assert [r["record_id"] for r in refused] == [record["id"]]
    assert "event_id" in refused[0]["reason"]


def test_a_listed_quantity_larger_than_the_log_entry_is_not_counted(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="2000")
    record = service.upstream.registry.retire(event["id"], 1_000_000)
    record["quantity_g"] = 2_000_000
    record["serial_ranges"][0]["quantity_g"] = 2_000_000

    counted = coverage(apply(service, event))

    assert counted["details"]["counted_g"] == 0
    assert "quantity_g" in counted["details"]["not_counted"][0]["reason"]


def test_a_proof_that_does_not_verify_is_not_counted(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="1000")
    record = service.upstream.registry.retire(event["id"], 1_000_000)
    service.upstream.registry.retire(event["id"], 500_000)
    # The listing points at the second record's log index: the proof is for another leaf.
    record["log_index"] = record["log_index"] + 1

    counted = coverage(apply(service, event))

    assert counted["details"]["counted_g"] == 500_000
    assert counted["result"] == "fail"
    assert counted["details"]["not_counted"][0]["record_id"] == record["id"]


def test_a_record_the_registry_has_no_proof_for_is_not_counted(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="1000")
    record = service.upstream.registry.retire(event["id"], 1_000_000)
    service.upstream.registry.retire(event["id"], 1_000_000)
    service.upstream.unproven.add(record["id"])

    response = apply(service, event)

    assert response.status_code == 201
    assert coverage(response)["details"]["not_counted"] == [
        {"record_id": record["id"], "kind": "retirement", "claimed_g": 1_000_000,
         "reason": "the registry has no proof for it"}
    ]


def test_external_cancellations_count_by_their_proven_quantity(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="3000")
    service.upstream.registry.retire(event["id"], 1_000_000)
    service.upstream.registry.cancel(event["id"], 2_000_000)

    counted = coverage(apply(service, event))

    assert counted["result"] == "pass"
    assert {c["kind"] for c in counted["details"]["counted"]} == {"retirement", "external_cancellation"}


def test_every_page_of_the_registry_listing_is_read(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="5")
    for _ in range(5):
        service.upstream.registry.retire(event["id"], 1_000)

    counted = coverage(apply(service, event))

    assert service.upstream.page_size < 5
    assert counted["details"]["counted_g"] == 5_000
    assert counted["result"] == "pass"


def test_an_event_without_an_accounted_inventory_cannot_apply(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e=None)
    service.upstream.registry.retire(event["id"], 1_000_000)

    response = apply(service, event)

    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"].endswith("not-ready-to-apply")
    assert problem["rule"] == "apply-needs-accounted-inventory"
    assert "not submitted" in problem["detail"]
    assert stored_applications(service) == 0


def test_an_event_that_has_not_ended_cannot_apply(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(ended_days_ago=-2)
    service.upstream.registry.retire(event["id"], 1_000_000)

    response = apply(service, event)

    assert response.status_code == 409, response.text
    assert response.json()["rule"] == "apply-after-end"
    assert stored_applications(service) == 0


def test_offsets_made_after_the_deadline_fail_it_naming_the_deadline(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(ended_days_ago=200)
    late = service.upstream.registry.retire(event["id"], 1_000_000)

    deadline = check(apply(service, event).json(), "deadline")

    assert deadline["result"] == "fail"
    assert event["policy"]["deadline"] in deadline["reason"]
    assert late["id"] in deadline["reason"] and deadline["details"]["late_offsets"][0].startswith(late["id"])


def test_an_external_cancellation_is_judged_on_the_day_it_was_cancelled(service: LocalCertification) -> None:
    # An event of long ago, recorded now with its real dates: the units were cancelled a month after it ended.
    event = service.upstream.accounting.event(ended_days_ago=900)
    ended = date.fromisoformat(event["ends_at"])
    on_time = service.upstream.registry.cancel(event["id"], 1_000_000, cancelled_on=ended + timedelta(days=30))

    deadline = check(apply(service, event).json(), "deadline")

    assert deadline["result"] == "pass", deadline
    assert deadline["details"]["neutrality_completed_on"] == on_time["cancelled_on"]

    late_event = service.upstream.accounting.event(ended_days_ago=900)
    late_on = date.fromisoformat(late_event["policy"]["deadline"]) + timedelta(days=1)
    late = service.upstream.registry.cancel(late_event["id"], 1_000_000, cancelled_on=late_on)
    late_deadline = check(apply(service, late_event).json(), "deadline")
    assert late_deadline["result"] == "fail"
    assert f"{late['id']} (cancelled {late_on.isoformat()}" in late_deadline["reason"]


def test_the_deadline_day_itself_is_on_time(service: LocalCertification) -> None:
    # Deadlines are calendar days in China, whatever the server's own time zone.
    today_in_china = datetime.now(CHINA).date()
    event = service.upstream.accounting.event()
    event["policy"]["deadline"] = today_in_china.isoformat()
    service.upstream.registry.retire(event["id"], 1_000_000)

    assert check(apply(service, event).json(), "deadline")["result"] == "pass"
    event["policy"]["deadline"] = (today_in_china - timedelta(days=1)).isoformat()
    assert check(apply(service, event).json(), "deadline")["result"] == "fail"


def test_shandong_sink_credits_may_come_after_six_months_within_the_sink_window(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(jurisdiction="CN-SD", participants=320, ended_days_ago=250)
    service.upstream.registry.retire(event["id"], 1_000_000, unit_type="SDCI", category="forestry",
                                     province="CN-SD")

    deadline = check(apply(service, event).json(), "deadline")

    assert deadline["result"] == "pass"
    assert "forestry or ocean sink" in deadline["reason"]


def test_other_offsets_recorded_after_six_months_are_late_even_with_sink_credits(
    service: LocalCertification,
) -> None:
    event = service.upstream.accounting.event(jurisdiction="CN-SD", participants=320, ended_days_ago=250,
                                              total_kgco2e="2000")
    service.upstream.registry.retire(event["id"], 1_000_000, unit_type="SDCI", category="forestry",
                                     province="CN-SD")
    late = service.upstream.registry.retire(event["id"], 1_000_000, unit_type="SDCI", category="other",
                                            province="CN-SD")

    deadline = check(apply(service, event).json(), "deadline")

    assert deadline["result"] == "fail"
    assert late["id"] in deadline["reason"]


def test_a_shandong_600_participant_event_needs_a_third_party_evaluation(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(jurisdiction="CN-SD", participants=600)
    service.upstream.registry.retire(event["id"], 1_000_000, unit_type="SDCI", province="CN-SD")

    by_commitment = check(apply(service, event).json(), "confirmation_method")
    without_evaluation = check(apply(service, event, {"method": "third_party"}).json(), "confirmation_method")

    assert by_commitment["result"] == "fail"
    assert "third-party evaluation by an accredited body" in by_commitment["reason"]
    assert without_evaluation["result"] == "fail"
    assert "none is recorded" in without_evaluation["reason"]


def test_a_self_commitment_must_state_every_item_the_profile_lists(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(jurisdiction="CN-SD", participants=320)
    service.upstream.registry.retire(event["id"], 1_000_000, unit_type="SDCI", province="CN-SD")

    missing = check(
        apply(service, event, commitment(event, scale=None, neutrality_date="  ")).json(), "confirmation_method"
    )
    complete = check(apply(service, event).json(), "confirmation_method")

    assert missing["result"] == "fail"
    assert missing["details"]["missing_contents"] == ["scale", "neutrality_date"]
    assert complete["result"] == "pass"


def test_no_reduction_measures_on_record_fails_reductions_before_offsets(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(measures=[])
    no_plan = service.upstream.accounting.event()
    no_plan["plan"] = None
    for covered in (event, no_plan):
        service.upstream.registry.retire(covered["id"], 1_000_000)

    assert check(apply(service, event).json(), "reductions_before_offsets")["result"] == "fail"
    assert "no implementation plan" in check(apply(service, no_plan).json(), "reductions_before_offsets")["reason"]


def test_the_priority_report_ranks_offsets_and_never_blocks(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="4")
    registry = service.upstream.registry
    registry.retire(event["id"], 1_000, kind="donation", donor="person")
    registry.retire(event["id"], 1_000, category="ocean")
    registry.cancel(event["id"], 1_000_000, project_province="CN-HI")
    registry.cancel(event["id"], 1_000_000, registry="VCU", project_province="CN-GD")

    application = apply(service, event).json()
    priority = check(application, "priority_order")

    assert priority["result"] == "advisory"
    assert priority["required"] is False
    tiers = {row["tier"]: row["quantity_g"] for row in priority["details"]["by_tier"]}
    assert tiers == {1: 1_000, 2: 1_000, 3: 1_000_000, 5: 1_000_000}
    assert "never blocks" in priority["reason"]
    assert application["ready"] is True


def test_another_owner_cannot_apply(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(owner="org:expo")
    service.upstream.registry.retire(event["id"], 1_000_000)

    response = apply(service, event, owner="org:someone-else")

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "another owner" in response.json()["detail"]
    assert stored_applications(service) == 0


def test_applying_needs_the_apply_scope(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    body = {"event_id": event["id"], "confirmation": commitment(event)}

    response = service.post("/v1/applications", body, owner=ORGANIZER, scopes="certification:verify")

    assert response.status_code == 403
    assert response.json()["required"] == ["certification:apply"]


def test_an_unknown_event_is_a_404(service: LocalCertification) -> None:
    body = {"event_id": "evt_missing", "confirmation": {"method": "self_commitment"}}

    response = service.post("/v1/applications", body, owner=ORGANIZER, scopes=APPLY)

    assert response.status_code == 404
    assert "evt_missing" in response.json()["detail"]


def test_rechecking_sees_offsets_retired_since(service: LocalCertification) -> None:
    event = service.upstream.accounting.event(total_kgco2e="1000")
    service.upstream.registry.retire(event["id"], 1_000_000)
    application = apply(service, event, {"method": "third_party"}).json()
    assert application["ready"] is False, "no evaluation yet"

    service.upstream.registry.retire(event["id"], 1_000_000)
    rechecked = service.post(f"/v1/applications/{application['id']}/checks", {}, owner=ORGANIZER, scopes=APPLY)

    assert rechecked.status_code == 200, rechecked.text
    assert check(rechecked.json(), "coverage")["details"]["counted_g"] == 2_000_000
    stored = service.get(f"/v1/applications/{application['id']}", owner=ORGANIZER, scopes=APPLY).json()
    assert check(stored, "coverage")["details"]["counted_g"] == 2_000_000


def test_an_application_is_read_by_its_owner_and_by_those_who_oversee(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    service.upstream.registry.retire(event["id"], 1_000_000)
    application = apply(service, event).json()
    path = f"/v1/applications/{application['id']}"

    assert service.get(path, owner=ORGANIZER, scopes=APPLY).status_code == 200
    assert service.get(path, owner=ISSUER, scopes="certification:issue").status_code == 200
    assert service.get(path, owner=EVALUATOR, scopes="certification:verify").status_code == 200
    assert service.get(path, owner="org:else", scopes=APPLY).status_code == 403
    assert service.get(path).status_code == 401
    assert service.get("/v1/applications/app_missing", owner=ORGANIZER, scopes=APPLY).status_code == 404


def test_a_repeated_idempotency_key_returns_the_first_application(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    service.upstream.registry.retire(event["id"], 1_000_000)
    body = {"event_id": event["id"], "confirmation": commitment(event)}
    headers = {"Idempotency-Key": "apply-once"}

    first = service.post("/v1/applications", body, owner=ORGANIZER, scopes=APPLY, headers=headers)
    again = service.post("/v1/applications", body, owner=ORGANIZER, scopes=APPLY, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stored_applications(service) == 1


def test_a_confirmation_with_an_unknown_method_is_refused(service: LocalCertification) -> None:
    event = service.upstream.accounting.event()
    body = {"event_id": event["id"], "confirmation": {"method": "word_of_honour"}}

    response = service.post("/v1/applications", body, owner=ORGANIZER, scopes=APPLY)

    assert response.status_code == 422
    assert stored_applications(service) == 0


def test_where_a_third_party_evaluates_only_proven_confirmed_claims_count(service: LocalCertification) -> None:
    registry = service.upstream.registry
    event = service.upstream.accounting.event(total_kgco2e="2000")
    registry.retire(event["id"], 1_000_000)
    claim = registry.cancel(event["id"], 1_000_000)

    unconfirmed = apply(service, event, {"method": "third_party"})
    assert unconfirmed.status_code == 409
    [left_out] = coverage(unconfirmed)["details"]["not_counted"]
    assert left_out["record_id"] == claim["id"] and "not confirmed yet" in left_out["reason"]
    by_commitment = coverage(apply(service, event))
    assert by_commitment["result"] == "pass", "the organizer answers for its claims under a self-commitment"

    registry.decide(claim["id"], "confirmed")
    service.upstream.unproven.add(claim["decision"]["id"])
    unproven = coverage(apply(service, event, {"method": "third_party"}))
    assert unproven["result"] == "fail"
    assert "confirmation is not proven" in unproven["details"]["not_counted"][0]["reason"]

    service.upstream.unproven.clear()
    confirmed = coverage(apply(service, event, {"method": "third_party"}))
    assert confirmed["result"] == "pass" and confirmed["details"]["counted_g"] == 2_000_000


def test_rejected_and_voided_claims_never_count(service: LocalCertification) -> None:
    registry = service.upstream.registry
    event = service.upstream.accounting.event(total_kgco2e="1000")
    for outcome in ("rejected", "voided"):
        claim = registry.cancel(event["id"], 1_000_000)
        registry.decide(claim["id"], outcome)

    counted = coverage(apply(service, event))

    assert counted["result"] == "fail" and counted["details"]["counted_g"] == 0
    assert sorted(r["reason"] for r in counted["details"]["not_counted"]) == [
        "the claim was rejected", "the claim was voided"
    ]
