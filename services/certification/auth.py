"""Who may call what: scope aliases that read in a handler's signature, and the owner rule.

A token acts for its ``owner``: an organizer applies for and reads only its own events' applications.
Third-party bodies (certification:verify), the issuer (certification:issue) and auditors (audit:write)
read any application. Certificates, status lists and the issuer's keys are public.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Security

from shared.auth.dependencies import current_principal
from shared.auth.tokens import Principal
from shared.problems import Forbidden, InsufficientScope

APPLY = "certification:apply"
VERIFY = "certification:verify"
ISSUE = "certification:issue"
AUDIT = "audit:write"
READ_APPLICATION_SCOPES = (APPLY, VERIFY, ISSUE, AUDIT)
RECHECK_SCOPES = (APPLY, ISSUE)
REVOKE_SCOPES = (ISSUE, AUDIT)
# Holders of these read every application; an applicant reads its own owner's only.
OVERSIGHT_SCOPES = (VERIFY, ISSUE, AUDIT)

ApplyForCertificate = Annotated[Principal, Security(current_principal, scopes=[APPLY])]
EvaluateApplication = Annotated[Principal, Security(current_principal, scopes=[VERIFY])]
IssueCertificates = Annotated[Principal, Security(current_principal, scopes=[ISSUE])]
WriteAudits = Annotated[Principal, Security(current_principal, scopes=[AUDIT])]
Caller = Annotated[Principal, Security(current_principal)]


def require_any(principal: Principal, scopes: tuple[str, ...]) -> None:
    """Refuse (403) unless the token holds at least one of ``scopes``."""
    if not any(principal.has(scope) for scope in scopes):
        raise InsufficientScope(f"This call needs one of the scopes: {' '.join(scopes)}.", required=list(scopes))


def _any_of(scopes: tuple[str, ...]) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    # As a dependency the check runs before the body is read, so a caller without the scope hears
    # 403 and never a validation error that would tell it the route's shape. A coroutine, so that it
    # runs on the event loop rather than in the thread pool.
    async def check(principal: Caller) -> Principal:
        require_any(principal, scopes)
        return principal

    return check


# Calls open to any one of several scopes.
ReadApplications = Annotated[Principal, Depends(_any_of(READ_APPLICATION_SCOPES))]
RecheckApplications = Annotated[Principal, Depends(_any_of(RECHECK_SCOPES))]
RevokeCertificates = Annotated[Principal, Depends(_any_of(REVOKE_SCOPES))]


def oversees(principal: Principal) -> bool:
    """Whether the token reads every owner's applications."""
    return any(principal.has(scope) for scope in OVERSIGHT_SCOPES)


def ensure_own_event(principal: Principal, event_owner: str, event_id: str) -> None:
    """An organizer applies only for events its own owner holds."""
    if principal.owner != event_owner:
        raise Forbidden(
            f"Event {event_id} belongs to another owner; this token acts for {principal.owner!r} and cannot apply "
            "for it.",
            event_id=event_id,
        )


def ensure_may_read(principal: Principal, owner: str) -> None:
    """An applicant reads its own owner's applications; oversight scopes read all."""
    if owner != principal.owner and not oversees(principal):
        raise Forbidden("This application belongs to another owner.")
