"""The gateway's own tables: OAuth clients, signing keys and the audit trail."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of the gateway's models (its own metadata)."""

    metadata = MetaData()
