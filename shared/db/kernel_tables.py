"""Tables every service keeps in its own database: idempotency records, the outbox and the inbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for a long-lived sequence.
SequenceId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class KernelTables:
    """The shared kernel's tables, declared in one service's metadata."""

    idempotency: Table
    outbox: Table
    deliveries: Table
    inbox: Table


def declare_kernel_tables(metadata: MetaData) -> KernelTables:
    """Declare the kernel's tables in a service's metadata (each service migrates its own copy)."""
    idempotency = Table(
        "idempotency_records",
        metadata,
        Column("id", SequenceId, primary_key=True, autoincrement=True),
        Column("owner", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("fingerprint", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("owner", "key", name="uq_idempotency_owner_key"),
    )
    outbox = Table(
        "outbox_messages",
        metadata,
        Column("seq", SequenceId, primary_key=True, autoincrement=True),
        Column("id", String(36), nullable=False, unique=True),
        Column("topic", String(100), nullable=False),
        Column("record_id", String(100), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    deliveries = Table(
        "outbox_deliveries",
        metadata,
        Column("id", SequenceId, primary_key=True, autoincrement=True),
        Column("message_seq", BigInteger, nullable=False),
        Column("receiver", String(50), nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False),
        Column("delivered_at", DateTime(timezone=True), nullable=True),
        Column("last_error", String(500), nullable=True),
        UniqueConstraint("message_seq", "receiver", name="uq_delivery_message_receiver"),
        Index("ix_delivery_pending", "receiver", "delivered_at", "message_seq"),
    )
    inbox = Table(
        "inbox_messages",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("source", String(50), nullable=False),
        Column("topic", String(100), nullable=False),
        Column("record_id", String(100), nullable=False),
        Column("source_seq", BigInteger, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )
    return KernelTables(idempotency=idempotency, outbox=outbox, deliveries=deliveries, inbox=inbox)
