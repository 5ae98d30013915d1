"""The event's lifecycle as a guarded state machine: every transition and the rules that allow it.

An event is planned, held once its last day has passed, accounted once an inventory is submitted,
and certified or revoked as certification reports (status.py). What may be done to an event, and
when, is decided here and nowhere else. Each transition has its rules, checked in order; the first
that does not hold refuses it with a 409 problem whose type is the rule's problem and whose `rule`
member is the rule's id.

| transition       | rule                            | allowed when                                 | refused as      |
|------------------|---------------------------------|----------------------------------------------|-----------------|
| change_facts     | facts-until-accounted           | planned or held                              | event-locked    |
|                  | actual-inventory-after-start    | no actual inventory, or the first day came   | event-not-begun |
| set_donations    | donations-any-time              | always (offsets come after accounting)       |                 |
| save_plan        | plan-until-accounted            | planned or held (late from the first day on) | event-locked    |
| record_inventory | actual-inventory-after-start    | the first day has come                       | event-not-begun |
|                  | inventory-not-while-certified   | no valid certificate rests on it             | event-locked    |
| submit_inventory | submit-after-end                | the last day has passed                      | event-not-ended |
|                  | submit-not-while-certified      | not certified                                | event-locked    |
| amend_inventory  | amend-not-while-certified       | not certified                                | event-locked    |
| apply            | apply-after-end                 | the last day has passed                      | event-not-ended |
|                  | apply-needs-accounted-inventory | accounted or revoked, a version accounted    | not-accounted   |

A correction of the dates is judged on the dates it would leave: an event with an actual inventory
cannot be moved to begin after today.

Days are calendar days in China (clock.china_today). Whether an inventory version is a draft or
submitted is the inventory's own rule (inventories/service.py); this module guards the event.
Certification applies for a certificate; accounting only states, in the event's `lifecycle`, whether
the event may be applied for, and certification reads it there.

A plan saved on or after the event's first day is late (made after the event started) and stays
late, even if the dates are corrected later: a plan cannot be made on time after the fact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from services.accounting.clock import CHINA
from services.accounting.events.models import Event
from services.accounting.events.status import BEFORE_ACCOUNTING, EventStatus, effective_status
from services.accounting.jsontext import loads
from services.accounting.problems import EventLocked, EventNotBegun, EventNotEnded, NotAccounted
from shared.problems import Conflict


class Transition(StrEnum):
    """Everything that can be done to an event, by name."""

    CHANGE_FACTS = "change_facts"
    SET_DONATIONS = "set_donations"
    SAVE_PLAN = "save_plan"
    RECORD_INVENTORY = "record_inventory"
    SUBMIT_INVENTORY = "submit_inventory"
    AMEND_INVENTORY = "amend_inventory"
    APPLY = "apply"


@dataclass(frozen=True)
class Standing:
    """What the rules read of an event on one day."""

    event_id: str
    status: EventStatus
    starts_on: date
    ends_on: date
    # Actual participants are known only from an actual inventory: one has been written.
    actual_recorded: bool
    accounted_version: int | None
    today: date

    @classmethod
    def of(cls, event: Event, today: date) -> Standing:
        """The event as it stands today."""
        return cls(
            event_id=event.id,
            status=effective_status(event.status, event.ends_on, today),
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            actual_recorded=event.actual_participants is not None,
            accounted_version=event.accounted_version,
            today=today,
        )

    def moved(self, starts_on: date, ends_on: date) -> Standing:
        """The same event with corrected dates (a correction is judged on the dates it would leave)."""
        return replace(self, starts_on=starts_on, ends_on=ends_on)

    @property
    def begun(self) -> bool:
        """The first day has come."""
        return self.starts_on <= self.today

    @property
    def ended(self) -> bool:
        """The last day has passed."""
        return self.ends_on < self.today


@dataclass(frozen=True)
class Rule:
    """One condition of a transition, the problem that refuses it, and why in words."""

    id: str
    problem: type[Conflict]
    holds: Callable[[Standing], bool]
    refusal: Callable[[Standing], str]


def _status(standing: Standing) -> str:
    return standing.status.value


FACTS_UNTIL_ACCOUNTED = Rule(
    "facts-until-accounted",
    EventLocked,
    lambda s: s.status in BEFORE_ACCOUNTING,
    lambda s: f"Event {s.event_id} is {_status(s)}; its facts are fixed once an inventory is submitted.",
)
ACTUAL_AFTER_START = Rule(
    "actual-inventory-after-start",
    EventNotBegun,
    lambda s: s.begun,
    lambda s: f"Event {s.event_id} begins on {s.starts_on.isoformat()}; actual activity and participants are "
    f"recorded once it has begun (today is {s.today.isoformat()} in China).",
)
KEEPS_ACTUAL_AFTER_START = Rule(
    ACTUAL_AFTER_START.id,
    EventNotBegun,
    lambda s: not s.actual_recorded or s.begun,
    lambda s: f"Event {s.event_id} has an actual inventory; its first day cannot move to "
    f"{s.starts_on.isoformat()}, after today ({s.today.isoformat()} in China).",
)
DONATIONS_ANY_TIME = Rule("donations-any-time", EventLocked, lambda _s: True, lambda _s: "")
PLAN_UNTIL_ACCOUNTED = Rule(
    "plan-until-accounted",
    EventLocked,
    lambda s: s.status in BEFORE_ACCOUNTING,
    lambda s: f"Event {s.event_id} is {_status(s)}: the implementation plan is fixed once the inventory is "
    "submitted.",
)
def _not_while_certified(rule_id: str, until: str) -> Rule:
    """A rule that holds while no valid certificate rests on the accounted inventory."""
    return Rule(
        rule_id,
        EventLocked,
        lambda s: s.status is not EventStatus.CERTIFIED,
        lambda s: f"Event {s.event_id} holds a valid certificate resting on inventory version "
        f"{s.accounted_version}; it must be revoked before {until}.",
    )


INVENTORY_NOT_WHILE_CERTIFIED = _not_while_certified("inventory-not-while-certified", "the inventory changes")
SUBMIT_AFTER_END = Rule(
    "submit-after-end",
    EventNotEnded,
    lambda s: s.ended,
    lambda s: f"Event {s.event_id} ends on {s.ends_on.isoformat()}; its actual emissions are accounted after "
    f"the event, from the day after (today is {s.today.isoformat()} in China).",
)
SUBMIT_NOT_WHILE_CERTIFIED = _not_while_certified("submit-not-while-certified", "another version is submitted")
AMEND_NOT_WHILE_CERTIFIED = _not_while_certified("amend-not-while-certified", "the inventory is amended")
APPLY_AFTER_END = Rule(
    "apply-after-end",
    EventNotEnded,
    lambda s: s.ended,
    lambda s: f"Event {s.event_id} ends on {s.ends_on.isoformat()}; a certificate is applied for after the "
    f"event (today is {s.today.isoformat()} in China).",
)
APPLY_NEEDS_ACCOUNTED = Rule(
    "apply-needs-accounted-inventory",
    NotAccounted,
    lambda s: s.accounted_version is not None and s.status in (EventStatus.ACCOUNTED, EventStatus.REVOKED),
    lambda s: f"Event {s.event_id} is {_status(s)}; a certificate is applied for with an accounted inventory, "
    "while the event is accounted (or again after a revocation).",
)

RULES: dict[Transition, tuple[Rule, ...]] = {
    Transition.CHANGE_FACTS: (FACTS_UNTIL_ACCOUNTED, KEEPS_ACTUAL_AFTER_START),
    Transition.SET_DONATIONS: (DONATIONS_ANY_TIME,),
    Transition.SAVE_PLAN: (PLAN_UNTIL_ACCOUNTED,),
    Transition.RECORD_INVENTORY: (ACTUAL_AFTER_START, INVENTORY_NOT_WHILE_CERTIFIED),
    Transition.SUBMIT_INVENTORY: (SUBMIT_AFTER_END, SUBMIT_NOT_WHILE_CERTIFIED),
    Transition.AMEND_INVENTORY: (AMEND_NOT_WHILE_CERTIFIED,),
    Transition.APPLY: (APPLY_AFTER_END, APPLY_NEEDS_ACCOUNTED),
}


@dataclass(frozen=True)
class Verdict:
    """Whether a transition is allowed; `rule` is the first rule that refused it, else its first rule."""

    transition: Transition
    allowed: bool
    rule: Rule

    def reason(self, standing: Standing) -> str | None:
        """Why it is refused, in words (None when allowed)."""
        return None if self.allowed else self.rule.refusal(standing)


def decide(transition: Transition, standing: Standing) -> Verdict:
    """Check the transition's rules in order."""
    rules = RULES[transition]
    for rule in rules:
        if not rule.holds(standing):
            return Verdict(transition, False, rule)
    return Verdict(transition, True, rules[0])


def require(transition: Transition, standing: Standing) -> None:
    """Allow the transition, or raise the 409 problem of the rule that refuses it."""
    verdict = decide(transition, standing)
    if verdict.allowed:
        return
    rule = verdict.rule
    raise rule.problem(
        rule.refusal(standing),
        rule=rule.id,
        transition=transition.value,
        event_id=standing.event_id,
        status=standing.status.value,
        starts_at=standing.starts_on.isoformat(),
        ends_at=standing.ends_on.isoformat(),
        today=standing.today.isoformat(),
    )


def china_day(stamp: str) -> date:
    """The calendar day in China of an ISO 8601 instant."""
    return datetime.fromisoformat(stamp).astimezone(CHINA).date()


def plan_late(previously_late: bool, saved_on: date, starts_on: date) -> bool:
    """A plan saved on or after the event's first day is late, and stays late."""
    return previously_late or saved_on >= starts_on


def summary_late(summary: dict[str, Any] | None, starts_on: date) -> bool:
    """Whether the event's plan (its stored public summary) is late; False when there is no plan."""
    if summary is None:
        return False
    late = summary.get("late")
    if isinstance(late, bool):
        return late
    # A summary stored before lateness was recorded: judged on its last save, as a save now would be.
    saved_at = summary.get("saved_at")
    return isinstance(saved_at, str) and china_day(saved_at) >= starts_on


def lifecycle_view(event: Event, today: date) -> dict[str, Any]:
    """Every transition with whether it is allowed today, the rule and the reason; and whether the plan is late."""
    standing = Standing.of(event, today)
    transitions = {}
    for transition in Transition:
        verdict = decide(transition, standing)
        transitions[transition.value] = {
            "allowed": verdict.allowed,
            "rule": verdict.rule.id,
            "reason": verdict.reason(standing),
        }
    summary = None if event.plan_summary is None else loads(event.plan_summary)
    return {"transitions": transitions, "late_plan": summary_late(summary, event.starts_on)}
