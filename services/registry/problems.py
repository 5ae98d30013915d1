"""The registry's own problem types: each a subclass of the shared hierarchy with a stable slug."""

from __future__ import annotations

from shared.problems import Conflict, ServiceUnavailable


class InsufficientCredits(Conflict):
    """The account holds fewer eligible grams than asked for."""

    slug, title = "insufficient-credits", "Not enough credits held"


class DoubleClaim(Conflict):
    """An external cancellation overlaps one already recorded."""

    slug, title = "double-claim", "These serials were already claimed"


class ProjectBound(Conflict):
    """Shandong's rule: a new forestry or ocean sink project serves one event only."""

    slug, title = "project-bound-to-event", "The project is bound to another event"


class RegistryBusy(ServiceUnavailable):
    """Concurrent writers kept winning the same rows; the client should retry."""

    slug, title = "registry-busy", "The registry is busy"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers["Retry-After"] = "1"
