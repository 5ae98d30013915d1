"""Tables of issued credits: series counters, credit blocks, issuances and transfers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base
from shared.db.kernel_tables import SequenceId


class CreditSeries(Base):
    """The serial counter of one series (project and vintage), moved by conditional updates."""

    __tablename__ = "credit_series"
    __table_args__ = (
        UniqueConstraint("project_id", "vintage", name="uq_credit_series_project_vintage"),
        CheckConstraint("next_serial >= 1", name="ck_credit_series_next"),
    )

    id: Mapped[int] = mapped_column(SequenceId, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(40), ForeignKey("projects.id"))
    vintage: Mapped[int] = mapped_column(Integer)
    next_serial: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)


class BlockRecord(Base):
    """A credit block: serials [serial_start, serial_end] of a series, held by an account or retired.

    A retired block is never changed again (the migration's trigger refuses it); the unique
    (series, serial_start) is the backstop against a serial being issued or split twice.
    """

    __tablename__ = "credit_blocks"
    __table_args__ = (
        UniqueConstraint("series_id", "serial_start", name="uq_credit_blocks_series_start"),
        CheckConstraint("serial_start >= 1 AND serial_end >= serial_start", name="ck_credit_blocks_range"),
        CheckConstraint("quantity = serial_end - serial_start + 1", name="ck_credit_blocks_quantity"),
        CheckConstraint(
            "(state = 'held' AND retirement_id IS NULL) OR (state = 'retired' AND retirement_id IS NOT NULL)",
            name="ck_credit_blocks_state",
        ),
        Index("ix_credit_blocks_holdings", "account_id", "state", "unit_type"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    series_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("credit_series.id"))
    project_id: Mapped[str] = mapped_column(String(40), ForeignKey("projects.id"))
    unit_type: Mapped[str] = mapped_column(String(8))
    vintage: Mapped[int] = mapped_column(Integer)
    serial_start: Mapped[int] = mapped_column(BigInteger)
    serial_end: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    account_id: Mapped[str] = mapped_column(String(40), ForeignKey("accounts.id"))
    state: Mapped[str] = mapped_column(String(10))
    retirement_id: Mapped[str | None] = mapped_column(String(40), ForeignKey("retirements.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Issuance(Base):
    """Credits issued into an account: one new block at the end of its series."""

    __tablename__ = "issuances"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40), ForeignKey("projects.id"), index=True)
    account_id: Mapped[str] = mapped_column(String(40), ForeignKey("accounts.id"))
    series_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("credit_series.id"))
    vintage: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(BigInteger)
    serial_start: Mapped[int] = mapped_column(BigInteger)
    serial_end: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Transfer(Base):
    """Credits moved from one account to another; ``serials`` is the JSON list of block serials moved."""

    __tablename__ = "transfers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    from_account: Mapped[str] = mapped_column(String(40), ForeignKey("accounts.id"), index=True)
    to_account: Mapped[str] = mapped_column(String(40), ForeignKey("accounts.id"), index=True)
    unit_type: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(BigInteger)
    serials: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
