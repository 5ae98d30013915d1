"""The event lifecycle and the pieces of the stored documents, without HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.accounting.events.lifecycle import (
    RULES,
    Standing,
    Transition,
    decide,
    plan_late,
    require,
    summary_late,
)
from services.accounting.events.policy import disclosure_fields, notified_policy, policy_document
from services.accounting.events.status import EventStatus, certificate_status, effective_status
from services.accounting.jsontext import loads, splice
from services.accounting.policies.profiles import resolve
from services.accounting.policies.vocabulary import HostType
from services.accounting.problems import EventNotBegun, EventNotEnded
from shared.problems import Conflict

TODAY = date(2027, 6, 10)


@pytest.mark.parametrize(
    ("stored", "ends_on", "expected"),
    [
        ("planned", date(2027, 6, 10), EventStatus.PLANNED),
        ("planned", date(2027, 6, 9), EventStatus.HELD),
        ("held", date(2027, 7, 1), EventStatus.HELD),
        ("accounted", date(2027, 6, 1), EventStatus.ACCOUNTED),
        ("certified", date(2027, 6, 1), EventStatus.CERTIFIED),
        ("revoked", date(2027, 6, 1), EventStatus.REVOKED),
    ],
)
def test_a_planned_event_is_held_once_its_last_day_has_passed(
    stored: str, ends_on: date, expected: EventStatus
) -> None:
    assert effective_status(stored, ends_on, TODAY) is expected


def test_certificate_statuses_map_to_event_statuses() -> None:
    assert certificate_status("valid") is EventStatus.CERTIFIED
    assert certificate_status("revoked") is EventStatus.REVOKED
    assert certificate_status("suspended") is None


def test_shandong_discloses_its_implementation_plan_by_its_parts() -> None:
    resolution = resolve("CN-SD", HostType.ENTERPRISE, 320, date(2027, 6, 1))
    assert disclosure_fields(resolution) == [
        "accounting_boundary",
        "reduction_measures",
        "offset_method",
        "event_name",
        "organizers",
        "scale",
        "dates",
        "accounted_emissions",
        "neutrality_date",
        "confirmation_method",
        "cancellations",
    ]


def test_the_notified_policy_is_the_documented_subset() -> None:
    document = policy_document(resolve("CN-HI", HostType.GOVERNMENT, 500, date(2027, 6, 1)))
    notified = notified_policy(document)
    assert list(notified) == [
        "profile_id",
        "version",
        "band",
        "neutrality",
        "confirmation_method",
        "deadline",
        "disclosure_fields",
        "priority",
    ]
    assert notified["deadline"] == "2027-12-01"
    assert set(notified["priority"][0]) == {"tier", "label", "kinds", "unit_types"}
    assert "source" in document["priority"][0]


def test_splice_adds_stored_json_text_as_a_member() -> None:
    assert loads(splice({"a": 1}, "lines", b"[1,2]")) == {"a": 1, "lines": [1, 2]}
    assert loads(splice({}, "lines", "null")) == {"lines": None}


def standing(
    status: EventStatus = EventStatus.PLANNED,
    starts_on: date = date(2027, 6, 12),
    ends_on: date = date(2027, 6, 13),
    actual: bool = False,
    accounted_version: int | None = None,
) -> Standing:
    """An event as the rules read it on TODAY (10 June 2027)."""
    return Standing("evt_x", status, starts_on, ends_on, actual, accounted_version, TODAY)


RUNNING = {"starts_on": date(2027, 6, 9), "ends_on": date(2027, 6, 11)}
ENDED = {"starts_on": date(2027, 6, 1), "ends_on": date(2027, 6, 9)}


@pytest.mark.parametrize(
    ("transition", "facts", "rule"),
    [
        (Transition.RECORD_INVENTORY, {}, "actual-inventory-after-start"),
        (Transition.RECORD_INVENTORY, {"starts_on": TODAY}, None),
        (Transition.RECORD_INVENTORY, {**ENDED, "status": EventStatus.CERTIFIED}, "inventory-not-while-certified"),
        (Transition.SUBMIT_INVENTORY, RUNNING, "submit-after-end"),
        (Transition.SUBMIT_INVENTORY, {"starts_on": date(2027, 6, 9), "ends_on": TODAY}, "submit-after-end"),
        (Transition.SUBMIT_INVENTORY, ENDED, None),
        (Transition.SUBMIT_INVENTORY, {**ENDED, "status": EventStatus.CERTIFIED}, "submit-not-while-certified"),
        (Transition.AMEND_INVENTORY, {**ENDED, "status": EventStatus.ACCOUNTED}, None),
        (Transition.AMEND_INVENTORY, {**ENDED, "status": EventStatus.CERTIFIED}, "amend-not-while-certified"),
        (Transition.SAVE_PLAN, ENDED, None),
        (Transition.SAVE_PLAN, {**ENDED, "status": EventStatus.ACCOUNTED}, "plan-until-accounted"),
        (Transition.SAVE_PLAN, {**ENDED, "status": EventStatus.REVOKED}, "plan-until-accounted"),
        (Transition.CHANGE_FACTS, {}, None),
        (Transition.CHANGE_FACTS, {"actual": True}, "actual-inventory-after-start"),
        (Transition.CHANGE_FACTS, {**ENDED, "status": EventStatus.ACCOUNTED}, "facts-until-accounted"),
        (Transition.SET_DONATIONS, {**ENDED, "status": EventStatus.CERTIFIED}, None),
        (Transition.APPLY, {**RUNNING, "status": EventStatus.HELD}, "apply-after-end"),
        (Transition.APPLY, {**ENDED, "status": EventStatus.HELD}, "apply-needs-accounted-inventory"),
        (Transition.APPLY, {**ENDED, "status": EventStatus.ACCOUNTED, "accounted_version": 1}, None),
        (Transition.APPLY, {**ENDED, "status": EventStatus.REVOKED, "accounted_version": 2}, None),
        (
            Transition.APPLY,
            {**ENDED, "status": EventStatus.CERTIFIED, "accounted_version": 1},
            "apply-needs-accounted-inventory",
        ),
    ],
)
def test_each_transition_is_allowed_or_refused_by_a_named_rule(
    transition: Transition, facts: dict[str, Any], rule: str | None
) -> None:
    verdict = decide(transition, standing(**facts))
    assert verdict.allowed is (rule is None)
    if rule is not None:
        assert verdict.rule.id == rule
        assert verdict.reason(standing(**facts))


def test_a_refusal_is_the_rules_problem_with_the_rule_named() -> None:
    with pytest.raises(EventNotBegun) as refused:
        require(Transition.RECORD_INVENTORY, standing())
    assert refused.value.extensions["rule"] == "actual-inventory-after-start"
    assert refused.value.extensions["transition"] == "record_inventory"
    assert refused.value.status == 409
    with pytest.raises(EventNotEnded):
        require(Transition.SUBMIT_INVENTORY, standing(**RUNNING))


def test_every_transition_has_rules_and_every_rule_a_problem() -> None:
    assert set(RULES) == set(Transition)
    for rules in RULES.values():
        assert rules
        assert all(issubclass(rule.problem, Conflict) for rule in rules)


def test_a_plan_is_late_from_the_first_day_on_and_stays_late() -> None:
    assert plan_late(False, date(2027, 6, 11), date(2027, 6, 12)) is False
    assert plan_late(False, date(2027, 6, 12), date(2027, 6, 12)) is True
    assert plan_late(True, date(2027, 6, 1), date(2027, 6, 12)) is True
    # A summary from before lateness was recorded is judged on its last save, a day in China.
    assert summary_late({"saved_at": "2027-06-11T16:30:00+00:00"}, date(2027, 6, 12)) is True
    assert summary_late({"saved_at": "2027-06-11T15:30:00+00:00"}, date(2027, 6, 12)) is False
    assert summary_late(None, date(2027, 6, 12)) is False
