"""Every table of the certification service, imported in one place for migrations."""

from services.certification.applications.models import Application
from services.certification.audits.models import AuditFinding, AuditRound
from services.certification.certificates.models import Certificate, IssuerKey, Revocation
from services.certification.database import kernel
from services.certification.evaluations.models import Evaluation
from services.certification.status.models import StatusList

__all__ = [
    "Application",
    "AuditFinding",
    "AuditRound",
    "Certificate",
    "Evaluation",
    "IssuerKey",
    "Revocation",
    "StatusList",
    "kernel",
]
