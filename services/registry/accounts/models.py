"""The accounts table: who holds credits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base

ACCOUNT_KINDS = ("organization", "person", "event")


class Account(Base):
    """An account of an organization, a person or an event; its owner is who may move what it holds."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("kind IN ('organization', 'person', 'event')", name="ck_accounts_kind"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
