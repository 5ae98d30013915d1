"""Every table of the registry service, imported in one place for migrations."""

from services.registry.accounts.models import Account
from services.registry.cancellations.models import ExternalCancellation, ExternalSeries
from services.registry.credits.models import BlockRecord, CreditSeries, Issuance, Transfer
from services.registry.database import kernel
from services.registry.log.models import LogCheckpoint, LogEntry, LogSigningKey, LogState, LogSubtree
from services.registry.projects.models import Project
from services.registry.retirements.models import ProjectBinding, Retirement

__all__ = [
    "Account",
    "BlockRecord",
    "CreditSeries",
    "ExternalCancellation",
    "ExternalSeries",
    "Issuance",
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
