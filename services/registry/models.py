"""Every table of the registry service, imported in one place for migrations."""

from services.registry.accounts.models import Account
from services.registry.cancellations.models import ClaimDecision, ExternalCancellation, ExternalSeries
from services.registry.credits.models import BlockRecord, CreditSeries, Issuance, Transfer
from services.registry.database import kernel
from services.registry.events.models import EventDelegation, KnownEvent
from services.registry.log.models import LogCheckpoint, LogEntry, LogSigningKey, LogState, LogSubtree
from services.registry.projects.models import Project
from services.registry.retirements.models import ProjectBinding, Retirement

__all__ = [
    "Account",
    "BlockRecord",
    "ClaimDecision",
    "CreditSeries",
    "EventDelegation",
    "ExternalCancellation",
    "ExternalSeries",
    "Issuance",
    "KnownEvent",
    "LogCheckpoint",
    "LogEntry",
    "LogSigningKey",
    "LogState",
    "LogSubtree",
    "Project",
    "ProjectBinding",
    "Retirement",
    "Transfer",
    "kernel",
]
