"""Retiring credits for an event, and donations: the same move, with the donor on record.

Both name an event the registry knows whose state accepts offsets; a retirement is the event owner's
(or a client it delegated to), a donation anyone's to an event that takes donations (events/rules.py).
"""

from __future__ import annotations

from typing import Literal, cast

from services.registry.auth import ensure_may_move
from services.registry.credits import movement
from services.registry.credits import repository as credits
from services.registry.credits.service import serial_range
from services.registry.events import repository as events
from services.registry.events import rules
from services.registry.identifiers import aware, new_id, utc_now
from services.registry.log import service as log
from services.registry.problems import InsufficientCredits
from services.registry.retirements import binding, repository
from services.registry.retirements.models import Retirement
from services.registry.retirements.schemas import DonationCreate, DonorKind, RetirementCreate, RetirementOut
from shared.auth.tokens import Principal
from shared.db.executor import Executor
from shared.problems import InvalidInput, NotFound

TOPIC = "retirement.recorded"
Kind = Literal["retirement", "donation"]


def _unit_type(account_id: str, requested: str | None, held: list[credits.BlockView]) -> str:
    """The unit type to move: the one named, or without one named, the only type held."""
    if requested is not None:
        return requested
    types = sorted({view.unit_type for view in held})
    if len(types) == 1:
        return types[0]
    if not types:
        raise InsufficientCredits(f"Insufficient credits: account {account_id} holds none.", held_g=0)
    raise InvalidInput(f"The account holds {', '.join(types)}; name the unit_type to donate.")


def retire(session: Executor, principal: Principal, request: RetirementCreate | DonationCreate) -> RetirementOut:
    """Retire credits of the token's owner for an event; a DonationCreate records a donation."""
    kind: Kind = "donation" if isinstance(request, DonationCreate) else "retirement"
    # The account, what it holds and the event, in one round trip.
    parameters = events.event_parameters(request.event_id, principal.client_id)
    account, held, row = credits.account_with_holdings(
        session, request.from_account, request.unit_type, events.with_event, parameters
    )
    if account is None:  # the event decides which of the two is the 404
        event = events.event_for(session, request.event_id, principal.client_id)
    else:
        event = events.event_in(row)
    if kind == "donation":
        rules.may_donate_to(event, request.event_id)
    else:
        rules.may_retire_for(event, request.event_id, principal)
    if account is None:
        raise NotFound(f"No account {request.from_account}.")
    ensure_may_move(principal, account.owner, account.id)
    donor: DonorKind | None = None
    if kind == "donation":
        if account.kind == "event":
            raise InvalidInput("Donations come from a person's or an organization's account, not an event's.")
        donor = cast(DonorKind, account.kind)
    unit_type = _unit_type(account.id, request.unit_type, held)
    named = request.blocks if isinstance(request, RetirementCreate) else None
    bound_to = repository.bindings(session, {v.project_id for v in held if binding.is_bindable(v)})
    barred = {p for p, event in bound_to.items() if event != request.event_id}
    eligible = held if named is not None else [v for v in held if v.project_id not in barred]
    try:
        chosen = movement.choose(eligible, request.quantity, named)
    except InsufficientCredits:
        if barred and sum(v.quantity for v in held) >= request.quantity:
            raise binding.refusal(barred, bound_to, request.event_id) from None
        raise
    named_barred = {view.project_id for view, _ in chosen if view.project_id in barred}
    if named_barred:
        raise binding.refusal(named_barred, bound_to, request.event_id)
    retirement_id = new_id("ret")
    now = utc_now()
    repository.add(
        session,
        {
            "id": retirement_id,
            "kind": kind,
            "event_id": request.event_id,
            "from_account": account.id,
            "donor_kind": donor,
            "unit_type": unit_type,
            "quantity": request.quantity,
            "beneficiary": request.beneficiary,
            "reason": request.reason,
            "created_at": now,
        },
    )
    newly_bound = binding.bind_all(session, [view for view, _ in chosen], request.event_id, retirement_id, now)
    moved = movement.move(session, chosen, account.id, retirement_id, now)
    facts: dict[str, object] = {
        "retirement_id": retirement_id,
        "event_id": request.event_id,
        "from_account": account.id,
        "unit_type": unit_type,
        "quantity_g": request.quantity,
        "beneficiary": request.beneficiary,
        "reason": request.reason,
        "serials": [m.block.serial for m in moved],
    }
    if donor is not None:
        facts["donor"] = donor
    if newly_bound:
        facts["bound_projects"] = newly_bound
    result = RetirementOut(
        id=retirement_id,
        kind=kind,
        event_id=request.event_id,
        from_account=account.id,
        unit_type=unit_type,
        quantity_g=request.quantity,
        beneficiary=request.beneficiary,
        reason=request.reason,
        donor=donor,
        serial_ranges=[serial_range(m) for m in moved],
        bound_projects=newly_bound,
        log_index=log.PENDING_INDEX,
        retired_at=now,
    )
    log.queue_entry(session, kind, retirement_id, facts, log.Notice(TOPIC, notification(result)))
    return result


def notification(record: RetirementOut) -> dict[str, object]:
    """The `retirement.recorded` payload, exactly the fields docs/notifications.md lists."""
    return record.model_dump(mode="json", exclude={"from_account", "bound_projects"})


def public_record(
    record: Retirement, log_index: int, ranges: list[movement.Moved], bound_projects: list[str]
) -> RetirementOut:
    """A stored retirement as the public sees it (no account id)."""
    return RetirementOut(
        id=record.id,
        kind=cast(Kind, record.kind),
        event_id=record.event_id,
        unit_type=record.unit_type,
        quantity_g=record.quantity,
        beneficiary=record.beneficiary,
        reason=record.reason,
        donor=cast(DonorKind | None, record.donor_kind),
        serial_ranges=[serial_range(m) for m in ranges],
        bound_projects=bound_projects,
        log_index=log_index,
        retired_at=aware(record.created_at),
    )
