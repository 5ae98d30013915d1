"""The log's tables: entries, perfect-subtree hashes, the one state row, checkpoints, the signing key.

log_entries, log_subtrees and log_checkpoints are append-only: the migration installs triggers that
refuse UPDATE and DELETE on both SQLite and PostgreSQL. log_queue is not part of the log: it holds
the entries of committed changes until the sequencer gives them their indexes (sequencer.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base
from shared.db.kernel_tables import SequenceId

STATE_ROW = 1


class LogEntry(Base):
    """Leaf ``leaf_index``: its canonical JSON (the leaf data) and SHA-256(0x00 || data)."""

    __tablename__ = "log_entries"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(40), index=True)
    canonical: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class QueuedEntry(Base):
    """A committed change's entry waiting for its leaf index, with the notification that carries it."""

    __tablename__ = "log_queue"

    seq: Mapped[int] = mapped_column(SequenceId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(40), unique=True)
    facts: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(100))
    notification: Mapped[str | None] = mapped_column(Text)


class LogSubtree(Base):
    """The hash of the perfect subtree over leaves [position * 2**level, (position + 1) * 2**level)."""

    __tablename__ = "log_subtrees"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogState(Base):
    """The single row holding the tree size and its frontier (JSON list of base64 hashes)."""

    __tablename__ = "log_state"
    __table_args__ = (CheckConstraint(f"id = {STATE_ROW}", name="ck_log_state_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[str] = mapped_column(Text)


class LogCheckpoint(Base):
    """A published checkpoint: the signed note for one tree size."""

    __tablename__ = "log_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LogSigningKey(Base):
    """The development key: an Ed25519 private key as PKCS#8 PEM encrypted with the platform secret."""

    __tablename__ = "log_signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_name: Mapped[str] = mapped_column(String(200))
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
