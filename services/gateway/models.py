"""Every table of the gateway, imported in one place for migrations."""

from services.gateway.audit.models import AuditEvent
from services.gateway.clients.models import Client
from services.gateway.keys.models import SigningKey

__all__ = ["AuditEvent", "Client", "SigningKey"]
