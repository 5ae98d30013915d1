"""Check 3: neutrality was completed within the policy's deadline.

Days are calendar days in China, and a deadline day is itself on time. Neutrality is complete on the
day the last counted offset was made, which must fall on or before the deadline (both texts: 碳中和的
完成时间原则上不晚于大型活动结束后6个月内; the application follows completion, 完成后提交相关申请材料,
and has no deadline of its own): the day the log recorded a retirement or donation, the day an
external cancellation was cancelled in its own registry (so that an event of an earlier year is
judged on its real dates). Where the profile gives new forestry
or ocean sink projects longer windows (Shandong: project application within 1 year, measurement and
validation within 2 years), the offsets of those kinds may be made up to the latest such window;
every other offset still keeps the ordinary deadline.
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
    """Whether every counted offset was made within the deadline that applies to it."""
    deadline = policy.neutrality_deadline
    sink_kinds = {kind for window in policy.sink_deadlines for kind in window.applies_to}
    sink_due = max((window.due_on for window in policy.sink_deadlines), default=None)
    sink_records = {line.record_id for line in lines if line.kind in sink_kinds}
    extended = sink_due is not None and bool(sink_records)
    counted = list(offsets)
    details: dict[str, Any] = {
        "event_ended_on": ends_on.isoformat(),
        "applied_on": applied_on.isoformat(),
        "neutrality_deadline": deadline.isoformat(),
    }
    if counted:
        details["neutrality_completed_on"] = max(offset.made_on for offset in counted).isoformat()
    if extended and sink_due is not None:
        details["sink_project_deadline"] = sink_due.isoformat()
        details["sink_project_records"] = sorted(sink_records)
    late: list[str] = []
    for offset in counted:
        due = sink_due if sink_due is not None and offset.record_id in sink_records else deadline
        if offset.made_on > due:
            made = "cancelled" if offset.cancellation is not None and offset.cancellation.cancelled_on else "recorded"
            late.append(f"{offset.record_id} ({made} {offset.made_on.isoformat()}, due {due.isoformat()})")
    if late:
        details["late_offsets"] = late
        return CheckResult(
            DEADLINE, TITLE, True, "fail",
            f"Offsets made after their deadline do not complete neutrality in time (the {policy.profile_id} "
            f"profile's neutrality deadline is {deadline.isoformat()} for an event that ended on "
            f"{ends_on.isoformat()}): {'; '.join(late)}.",
            details,
        )
    if not counted:
        return CheckResult(DEADLINE, TITLE, True, "fail", "No counted offset completes neutrality yet.", details)
    completed = details["neutrality_completed_on"]
    if extended and completed > deadline.isoformat():
        reason = (
            f"Neutrality completed on {completed}, after the ordinary deadline {deadline.isoformat()} but within the "
            f"window for new forestry or ocean sink projects ({sink_due}); every other offset was made by the "
            "ordinary deadline."
        )
    else:
        reason = (
            f"Neutrality completed on {completed}, on or before the neutrality deadline {deadline.isoformat()}: "
            "every counted offset was made in time."
        )
    return CheckResult(DEADLINE, TITLE, True, "pass", reason, details)
