"""Shandong's rule: a new forestry or ocean sink project used for one event's neutrality serves that
event alone, for good. The first retirement (or donation) of its credits binds the whole project to
the event (one row per project, unique); any retirement of its credits for another event is refused.
Two first retirements for different events at once: both insert the binding, exactly one insert
wins, and the other transaction reads the winner's event and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from services.registry.credits.repository import BlockView
from services.registry.problems import ProjectBound
from services.registry.retirements import repository
from shared.db.executor import Executor

RULE = (
    "Shandong's rule: a new forestry or ocean sink project used for one event's neutrality can never be "
    "used for any other event."
)


def is_bindable(view: BlockView) -> bool:
    """Whether the block's project falls under the rule."""
    return view.new_sink and view.category in ("forestry", "ocean")


def refusal(project_ids: Iterable[str], bound_to: dict[str, str], event_id: str) -> ProjectBound:
    """The 409 problem for projects bound to another event."""
    projects = sorted(set(project_ids))
    events = sorted({bound_to[p] for p in projects if p in bound_to})
    return ProjectBound(
        f"{RULE} Project(s) {', '.join(projects)} are bound to event(s) {', '.join(events)}, not {event_id}.",
        projects=projects,
        bound_events=events,
        rule="shandong-new-sink",
    )


def bind_all(
    session: Executor, views: Iterable[BlockView], event_id: str, retirement_id: str, at: datetime
) -> list[str]:
    """Bind every rule project among ``views`` to the event; refuse if one is bound elsewhere."""
    newly: list[str] = []
    elsewhere: dict[str, str] = {}
    for project_id in sorted({v.project_id for v in views if is_bindable(v)}):
        bound, inserted = repository.bind(session, project_id, event_id, retirement_id, at)
        if bound != event_id:
            elsewhere[project_id] = bound
        elif inserted:
            newly.append(project_id)
    if elsewhere:
        raise refusal(elsewhere, elsewhere, event_id)
    return newly
