"""Deciding external claims: confirmed or rejected by the event's evaluator or the regulator, voided by
the regulator. Each decision is a log entry, and the claim's new state is announced again
(`cancellation.recorded`, newest by `seq`).

A claim is decided once: a confirmed claim can still be voided by the regulator (a squat found
later), nothing else changes a decided claim. Rejected and voided claims free their serials for the
one who really holds them.
"""

from __future__ import annotations

from typing import Any

from services.registry.auth import SUPERVISE
from services.registry.cancellations import repository
from services.registry.cancellations.schemas import CancellationOut, ClaimDecisionIn, ClaimDecisionOut, ClaimVoidIn
from services.registry.cancellations.service import TOPIC, notification, out
from services.registry.events import rules
from services.registry.identifiers import new_id, utc_now
from services.registry.log import service as log
from services.registry.problems import ClaimDecided
from shared.auth.tokens import Principal
from shared.db.executor import Executor
from shared.problems import Forbidden, NotFound

# Which outcomes may follow which status.
_ALLOWED = {"claimed": {"confirmed", "rejected", "voided"}, "confirmed": {"voided"}}


def _claim(session: Executor, cancellation_id: str) -> Any:
    """The claim as stored (with its log index), read once for the checks and the new state alike."""
    stored = repository.get(session, cancellation_id)
    if stored is None:  # never recorded, or its entry is not in the log yet
        raise NotFound(f"No external cancellation {cancellation_id}.")
    return stored


def _decide(
    session: Executor, principal: Principal, stored: Any, outcome: str, reason: str, role: str
) -> ClaimDecisionOut:
    claim = repository.ClaimState(stored.id, stored.event_id, stored.status, int(stored.version))
    if outcome not in _ALLOWED.get(claim.status, set()):
        raise ClaimDecided(
            f"External cancellation {claim.id} is {claim.status}; it cannot become {outcome}.",
            status=claim.status,
        )
    decision_id, now = new_id("xcd"), utc_now()
    repository.decide(
        session,
        claim,
        {
            "id": decision_id,
            "cancellation_id": claim.id,
            "outcome": outcome,
            "reason": reason,
            "decided_by": principal.client_id,
            "decided_as": role,
            "decided_at": now,
        },
    )
    result = ClaimDecisionOut(
        id=decision_id,
        cancellation_id=claim.id,
        outcome=outcome,  # type: ignore[arg-type]
        reason=reason,
        decided_as=role,  # type: ignore[arg-type]
        decided_at=now,
        log_index=log.PENDING_INDEX,
    )
    state: CancellationOut = out(stored).model_copy(update={"status": outcome, "decision": result})
    facts = {
        "decision_id": decision_id,
        "cancellation_id": claim.id,
        "event_id": claim.event_id,
        "outcome": outcome,
        "reason": reason,
        "decided_as": role,
    }
    # The notification is the claim's whole new state; its decision's log index is this entry's.
    notice = log.Notice(TOPIC, notification(state))
    log.queue_entry(session, "external_cancellation.decision", decision_id, facts, notice)
    return result


def decide(session: Executor, principal: Principal, cancellation_id: str, request: ClaimDecisionIn) -> ClaimDecisionOut:
    """Confirm or reject a claim, as the event's engaged evaluator or as the regulator."""
    claim = _claim(session, cancellation_id)
    rules.ensure_may_decide(session, claim.event_id, principal)
    role = "regulator" if principal.has(SUPERVISE) else "evaluator"
    return _decide(session, principal, claim, request.outcome, request.reason, role)


def void(session: Executor, principal: Principal, cancellation_id: str, request: ClaimVoidIn) -> ClaimDecisionOut:
    """The regulator voids a claim (its serials are someone else's, say), freeing them."""
    if not principal.has(SUPERVISE):
        raise Forbidden("Only the regulator (registry:supervise) voids a claim.")
    claim = _claim(session, cancellation_id)
    return _decide(session, principal, claim, "voided", request.reason, "regulator")
