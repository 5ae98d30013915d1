"""Check 3: neutrality was completed within the policy's deadline.

Days are calendar days in China, and a deadline day is itself on time. Neutrality is complete when
the application is made with the offsets in place, so both the application date and the day the log
recorded each counted offset must fall on or before the deadline. Where the profile gives new forestry
or ocean sink projects longer windows (Shandong: project application within 1 year, measurement and
validation within 2 years), the offsets of those kinds may be recorded up to the latest such window,
and the application may wait for them; every other offset still keeps the ordinary deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from services.certification.applications.priority import RankedLine
from services.certification.applications.proofs import CountedOffset
from services.certification.applications.results import DEADLINE, CheckResult
from services.certification.upstream.facts import PolicyFacts

TITLE = "Neutrality deadline"


def check_deadline(
    policy: PolicyFacts,
    ends_on: date,
    applied_on: date,
    offsets: Iterable[CountedOffset],
    lines: Iterable[RankedLine],
) -> CheckResult:
    """Whether the application and every counted offset fall within the deadline that applies to them."""
    deadline = policy.neutrality_deadline
    sink_kinds = {kind for window in policy.sink_deadlines for kind in window.applies_to}
    sink_due = max((window.due_on for window in policy.sink_deadlines), default=None)
    sink_records = {line.record_id for line in lines if line.kind in sink_kinds}
    extended = sink_due is not None and bool(sink_records)
    application_due = sink_due if extended and sink_due is not None else deadline
    details: dict[str, Any] = {
        "event_ended_on": ends_on.isoformat(),
        "applied_on": applied_on.isoformat(),
        "neutrality_deadline": deadline.isoformat(),
    }
    if extended and sink_due is not None:
        details["sink_project_deadline"] = sink_due.isoformat()
        details["sink_project_records"] = sorted(sink_records)
    late: list[str] = []
    for offset in offsets:
        due = sink_due if sink_due is not None and offset.record_id in sink_records else deadline
        if offset.recorded_on > due:
            late.append(f"{offset.record_id} (recorded {offset.recorded_on.isoformat()}, due {due.isoformat()})")
    if late:
        details["late_offsets"] = late
    if applied_on > application_due:
        window = "the window for new forestry or ocean sink projects" if extended else "the neutrality deadline"
        return CheckResult(
            DEADLINE, TITLE, True, "fail",
            f"Applied on {applied_on.isoformat()}, after {window} {application_due.isoformat()} set by the "
            f"{policy.profile_id} profile for an event that ended on {ends_on.isoformat()}.",
            details,
        )
    if late:
        return CheckResult(
            DEADLINE, TITLE, True, "fail",
            f"Offsets recorded after their deadline do not complete neutrality in time: {'; '.join(late)}.",
            details,
        )
    if extended and applied_on > deadline:
        reason = (
            f"Applied on {applied_on.isoformat()}, after the ordinary deadline {deadline.isoformat()} but within "
            f"the window for new forestry or ocean sink projects ({application_due.isoformat()}); every other "
            "offset was recorded by the ordinary deadline."
        )
    else:
        reason = (
            f"Applied on {applied_on.isoformat()}, on or before the neutrality deadline {application_due.isoformat()}, "
            "and every counted offset was recorded in time."
        )
    return CheckResult(DEADLINE, TITLE, True, "pass", reason, details)
