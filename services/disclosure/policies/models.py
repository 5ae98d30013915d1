"""Policy documents and notices: every published version is kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.disclosure.database import Base
from shared.db.kernel_tables import SequenceId


class PolicyDocument(Base):
    """One version of a policy document or notice."""

    __tablename__ = "policy_documents"
    __table_args__ = (
        UniqueConstraint("slug", "version", name="uq_policy_slug_version"),
        Index("ix_policy_documents_latest", "slug", "is_latest"),
    )

    id: Mapped[int] = mapped_column(SequenceId, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    is_latest: Mapped[bool] = mapped_column()
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    effective_date: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
