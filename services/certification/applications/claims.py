"""Which external claims count towards an event's coverage.

An external cancellation is a claim until the event's engaged evaluator or the regulator decides it.
Where a third party evaluates the event (its confirmation method is a third-party evaluation, the only
one Shandong's 500+ band accepts), the evaluator answers for the offsets too: only the claims it (or
the regulator) confirmed count. Where the organizer confirms neutrality by self-commitment it answers
for its claims as for the commitment itself: a claim counts from the moment it is recorded. Rejected
and voided claims never count.
"""

from __future__ import annotations

CONFIRMED_ONLY = frozenset({"confirmed"})
RECORDED_OR_CONFIRMED = frozenset({"claimed", "confirmed"})


def counted_statuses(method: str) -> frozenset[str]:
    """The claim statuses that count for an application confirmed by ``method``."""
    return CONFIRMED_ONLY if method == "third_party" else RECORDED_OR_CONFIRMED


def why_not_counted(status: str, counted: frozenset[str]) -> str:
    """The reason a claim of ``status`` is left out."""
    if status in ("rejected", "voided"):
        return f"the claim was {status}"
    if status == "claimed" and counted == CONFIRMED_ONLY:
        return "the claim is not confirmed yet: where a third party evaluates the event, only claims its evaluator or "\
               "the regulator confirmed count"
    return f"a claim {status} does not count"
