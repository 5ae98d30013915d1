"""The public shapes of certificates and of a certificate's verification."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class CertificateOffsetOut(BaseModel):
    """An offset the certificate counts."""

    unit_type: str
    quantity_g: int
    tonnes: str
    priority_tier: int | None


class CertificateOut(BaseModel):
    """A certificate with its live status and its signed form (a compact JWS)."""

    id: str
    event_id: str
    jurisdiction: str
    status: Literal["valid", "revoked"]
    event_name: str
    organizers: list[str]
    starts_at: date | None
    ends_at: date | None
    accounted_kgco2e: str | None
    offsets: list[CertificateOffsetOut]
    confirmation_method: str | None
    issuer: str | None
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    jws: str = Field(description="The signed certificate (ES256 compact JWS), checkable against the issuer's JWKS")
    status_list_url: str | None
    status_list_index: int | None
    verification_url: str | None


VerificationState = Literal["valid", "revoked", "signature_invalid", "not_found", "unverifiable"]


class Verification(BaseModel):
    """What checking a certificate found: its signature against the issuer's published keys, then its status."""

    certificate_id: str
    state: VerificationState = Field(
        description="valid; revoked; signature_invalid (forged or altered); not_found; "
        "unverifiable (the issuer's keys could not be fetched just now)"
    )
    signature: Literal["valid", "invalid", "unchecked"]
    key_id: str | None
    detail: str
    certificate: CertificateOut | None
