"""Every table of the accounting service, imported in one place for migrations."""

from services.accounting.database import kernel
from services.accounting.events.models import Event
from services.accounting.greenpower.models import GreenCertificateClaim
from services.accounting.inventories.models import InventoryVersion
from services.accounting.plans.models import Plan

__all__ = ["Event", "GreenCertificateClaim", "InventoryVersion", "Plan", "kernel"]
