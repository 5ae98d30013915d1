"""Every table of the certification service, imported in one place for migrations."""

from services.certification.database import kernel

__all__ = ["kernel"]
