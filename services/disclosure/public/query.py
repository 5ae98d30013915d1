"""Refusing query parameters an endpoint does not know, so a typo never silently widens a filter."""

from __future__ import annotations

from collections import Counter

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant

from shared.problems import BadRequest


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _allowed(request: Request) -> frozenset[str]:
    route = request.scope.get("route")
    dependant: Dependant | None = getattr(route, "dependant", None)
    return frozenset(_query_names(dependant)) if dependant is not None else frozenset()


async def refuse_unknown_query(request: Request) -> None:
    """400 problem for a query parameter the route does not declare, or one given twice (a coroutine:
    it runs on the event loop instead of costing each request a hop to the thread pool)."""
    given = Counter(name for name, _ in request.query_params.multi_items())
    allowed = _allowed(request)
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise BadRequest(
            f"Unknown query parameter(s): {', '.join(unknown)}.", unknown=unknown, allowed=sorted(allowed)
        )
    repeated = sorted(name for name, count in given.items() if count > 1)
    if repeated:
        raise BadRequest(f"Query parameter(s) given more than once: {', '.join(repeated)}.", repeated=repeated)


StrictQuery = Depends(refuse_unknown_query)
