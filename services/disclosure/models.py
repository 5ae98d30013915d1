"""Every table of the disclosure service, imported in one place for migrations."""

from services.disclosure.database import kernel

__all__ = ["kernel"]
