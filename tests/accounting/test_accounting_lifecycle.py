"""The event lifecycle and the pieces of the stored documents, without HTTP."""

from __future__ import annotations

from datetime import date

import pytest

from services.accounting.events.policy import disclosure_fields, notified_policy, policy_document
from services.accounting.events.status import EventStatus, certificate_status, effective_status
from services.accounting.jsontext import loads, splice
from services.accounting.policies.profiles import resolve
from services.accounting.policies.vocabulary import HostType

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
