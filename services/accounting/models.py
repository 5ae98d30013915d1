"""Every table of the accounting service, imported in one place for migrations."""

from services.accounting.database import kernel

__all__ = ["kernel"]
