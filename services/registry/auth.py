"""Who may call what: scope aliases that read in a handler's signature, and the owner rule.

A token acts for its ``owner``. It moves credits only out of accounts of that owner, whatever its
scopes (registry:admin included); it opens accounts for its own owner unless it holds
registry:admin; it reads only its owner's accounts unless it holds registry:admin.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Security

from shared.auth.dependencies import current_principal
from shared.auth.tokens import Principal
from shared.problems import Forbidden, InsufficientScope

ADMIN = "registry:admin"
SUPERVISE = "registry:supervise"  # the regulator: decides and voids external claims
EVALUATE = "registry:evaluate"  # third-party evaluators: decide the claims of events that engaged them
OPEN_ACCOUNT_SCOPES = ("registry:transfer", "registry:retire", ADMIN)
DECIDE_CLAIM_SCOPES = (EVALUATE, SUPERVISE)

ReadRegistry = Annotated[Principal, Security(current_principal, scopes=["registry:read"])]
TransferCredits = Annotated[Principal, Security(current_principal, scopes=["registry:transfer"])]
RetireCredits = Annotated[Principal, Security(current_principal, scopes=["registry:retire"])]
IssueCredits = Annotated[Principal, Security(current_principal, scopes=["registry:issue"])]
AdministerRegistry = Annotated[Principal, Security(current_principal, scopes=[ADMIN])]
SuperviseRegistry = Annotated[Principal, Security(current_principal, scopes=[SUPERVISE])]


def require_any(principal: Principal, scopes: tuple[str, ...]) -> None:
    """Refuse (403) unless the token holds at least one of ``scopes``."""
    if not any(principal.has(scope) for scope in scopes):
        raise InsufficientScope(f"This call needs one of the scopes: {' '.join(scopes)}.", required=list(scopes))


async def _account_opener(principal: Annotated[Principal, Security(current_principal)]) -> Principal:
    require_any(principal, OPEN_ACCOUNT_SCOPES)
    return principal


async def _claim_decider(principal: Annotated[Principal, Security(current_principal)]) -> Principal:
    require_any(principal, DECIDE_CLAIM_SCOPES)
    return principal


# Routes that take any one of several scopes: checked as a dependency, so before the body is read.
OpenAccounts = Annotated[Principal, Depends(_account_opener)]
DecideClaims = Annotated[Principal, Depends(_claim_decider)]


def ensure_may_open_for(principal: Principal, owner: str) -> None:
    """A token opens accounts for its own owner only, unless it administers the registry."""
    if owner != principal.owner and not principal.has(ADMIN):
        raise Forbidden(f"This token acts for {principal.owner!r} and cannot open accounts for {owner!r}.")


def ensure_may_read(principal: Principal, owner: str) -> None:
    """A token reads its own owner's accounts only, unless it administers the registry."""
    if owner != principal.owner and not principal.has(ADMIN):
        raise Forbidden("This account belongs to another owner.")


def ensure_may_move(principal: Principal, owner: str, account_id: str) -> None:
    """Credits move only out of accounts of the token's owner, whatever its scopes."""
    if owner != principal.owner:
        raise Forbidden(f"Account {account_id} belongs to another owner; this token cannot move what it holds.")
