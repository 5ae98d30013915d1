"""The disclosure service's own metadata: its feature tables plus the kernel's idempotency, outbox and inbox."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.db.kernel_tables import declare_kernel_tables


class Base(DeclarativeBase):
    """Declarative base of the disclosure service's models (its own metadata)."""

    metadata = MetaData()


kernel = declare_kernel_tables(Base.metadata)
