"""Check 4: the event is confirmed neutral by the method its policy accepts.

A third-party evaluation must come from an accredited body, name at least two evaluators and confirm
neutrality; the latest evaluation recorded for the application is the one that counts. A
self-commitment must state every item the profile lists (the organizer answers for its truth).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.certification.applications.results import CONFIRMATION, CheckResult
from services.certification.upstream.facts import PolicyFacts

TITLE = "Confirmation method"
METHOD_NAMES = {"self_commitment": "a self-commitment", "third_party": "a third-party evaluation by an accredited body"}


@dataclass(frozen=True)
class Evaluation:
    """A recorded third-party evaluation, as the check reads it."""

    id: str
    body: str
    accreditation_number: str
    evaluators: tuple[str, ...]
    conclusion: str
    report_sha256: str


def _stated(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return bool(value) and all(_stated(item) for item in (value.values() if isinstance(value, dict) else value))
    return value is not None and not isinstance(value, bool)


def missing_contents(policy: PolicyFacts, contents: Mapping[str, Any]) -> list[str]:
    """The items the profile lists that a self-commitment leaves out or leaves blank."""
    return [item for item in policy.self_commitment_contents if not _stated(contents.get(item))]


def check_confirmation(
    policy: PolicyFacts, method: str, contents: Mapping[str, Any], evaluation: Evaluation | None
) -> CheckResult:
    """Whether the application's confirmation is one the policy accepts, complete and positive."""
    details: dict[str, Any] = {
        "method": method,
        "accepted_methods": list(policy.accepted_methods),
        "band": policy.band,
        "profile": policy.profile_id,
    }
    if method not in policy.accepted_methods:
        accepted = " or ".join(METHOD_NAMES.get(m, m) for m in policy.accepted_methods)
        return CheckResult(
            CONFIRMATION, TITLE, True, "fail",
            f"The {policy.profile_id} policy band {policy.band} requires {accepted}; "
            f"{METHOD_NAMES.get(method, method)} cannot confirm this event's neutrality.",
            details,
        )
    if method == "self_commitment":
        missing = missing_contents(policy, contents)
        details["required_contents"] = list(policy.self_commitment_contents)
        if missing:
            details["missing_contents"] = missing
            return CheckResult(
                CONFIRMATION, TITLE, True, "fail",
                f"The self-commitment must state every item the {policy.profile_id} profile lists; "
                f"missing or blank: {', '.join(missing)}.",
                details,
            )
        return CheckResult(
            CONFIRMATION, TITLE, True, "pass",
            "Confirmed by the organizer's self-commitment, which states every item the profile lists "
            f"({', '.join(policy.self_commitment_contents) or 'none listed'}); the organizer answers for its truth.",
            details,
        )
    if evaluation is None:
        return CheckResult(
            CONFIRMATION, TITLE, True, "fail",
            f"The {policy.profile_id} policy band {policy.band} requires a third-party evaluation by an "
            "accredited body, and none is recorded for this application.",
            details,
        )
    details["evaluation"] = {
        "id": evaluation.id,
        "body": evaluation.body,
        "accreditation_number": evaluation.accreditation_number,
        "evaluators": list(evaluation.evaluators),
        "conclusion": evaluation.conclusion,
        "report_sha256": evaluation.report_sha256,
    }
    if evaluation.conclusion != "confirmed":
        return CheckResult(
            CONFIRMATION, TITLE, True, "fail",
            f"The evaluation by {evaluation.body} (accreditation {evaluation.accreditation_number}) does not "
            "confirm that the event is carbon neutral.",
            details,
        )
    return CheckResult(
        CONFIRMATION, TITLE, True, "pass",
        f"Confirmed by {evaluation.body} (accreditation {evaluation.accreditation_number}); evaluators "
        f"{', '.join(evaluation.evaluators)}; report SHA-256 {evaluation.report_sha256}.",
        details,
    )
