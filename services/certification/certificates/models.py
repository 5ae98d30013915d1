"""Certificates as issued, their revocations, and the issuer's keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.certification.database import Base


class Certificate(Base):
    """An issued certificate: the signed credential, its public record and its live status."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("status IN ('valid', 'revoked')", name="ck_certificates_status"),
        UniqueConstraint("status_list_id", "status_list_index", name="uq_certificates_status_entry"),
        # One valid certificate per event, also when two decisions race.
        Index(
            "uq_certificates_valid_event",
            "event_id",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(100), unique=True)
    application_id: Mapped[str] = mapped_column(String(40), ForeignKey("applications.id"), unique=True)
    event_id: Mapped[str] = mapped_column(String(100), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(20), index=True)
    owner: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    jws: Mapped[str] = mapped_column(Text)
    # The public facts the notification carries besides the status: names, dates, offsets with tiers.
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    status_list_id: Mapped[int] = mapped_column(Integer, ForeignKey("status_lists.id"))
    status_list_index: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revocation_reason: Mapped[str | None] = mapped_column(Text)


class Revocation(Base):
    """The record of a revocation: why, by whom, from which audit if any."""

    __tablename__ = "revocations"
    __table_args__ = (CheckConstraint("source IN ('request', 'audit')", name="ck_revocations_source"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    certificate_id: Mapped[str] = mapped_column(String(40), ForeignKey("certificates.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))
    audit_round_id: Mapped[str | None] = mapped_column(String(40))
    finding_id: Mapped[str | None] = mapped_column(String(40))
    revoked_by_owner: Mapped[str] = mapped_column(String(200))
    revoked_by_client: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IssuerKey(Base):
    """An issuer key ever used: its public JWK (published), and the private key only for generated ones."""

    __tablename__ = "issuer_keys"
    __table_args__ = (CheckConstraint("origin IN ('configured', 'generated')", name="ck_issuer_keys_origin"),)

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Encrypted PKCS#8 PEM of a key generated in development or test; a configured key is never stored.
    private_pem: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
