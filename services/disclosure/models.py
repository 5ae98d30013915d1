"""Every table of the disclosure service, imported in one place for migrations."""

from services.disclosure.audit.models import AuditRecord
from services.disclosure.database import kernel
from services.disclosure.feed.models import (
    DisclosedCancellation,
    DisclosedCertificate,
    DisclosedEvent,
    DisclosedRetirement,
    DisclosedSerialRange,
)
from services.disclosure.policies.models import PolicyDocument

__all__ = [
    "AuditRecord",
    "DisclosedCancellation",
    "DisclosedCertificate",
    "DisclosedEvent",
    "DisclosedRetirement",
    "DisclosedSerialRange",
    "PolicyDocument",
    "kernel",
]
