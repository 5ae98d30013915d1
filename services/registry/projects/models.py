"""The projects table: carbon-inclusion projects filed with the platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class Project(Base):
    """A filed project; its code names it in serials, its flags decide Shandong's rule."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("category IN ('forestry', 'ocean', 'other')", name="ck_projects_category"),
        CheckConstraint("NOT new_sink OR category IN ('forestry', 'ocean')", name="ck_projects_new_sink"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(8))
    province: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(20))
    methodology: Mapped[str] = mapped_column(String(200))
    new_sink: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
