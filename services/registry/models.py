"""Every table of the registry service, imported in one place for migrations."""

from services.registry.database import kernel

__all__ = ["kernel"]
