"""What the certificates API takes and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class OffsetOut(BaseModel):
    """Grams of one unit type, with their tier in the province's recommended order (null: outside it)."""

    unit_type: str
    quantity_g: int
    priority_tier: int | None


class RetiredRangeOut(BaseModel):
    """A serial range retired on the registry, and the log entry that records it."""

    record_id: str
    kind: str
    unit_type: str
    serial_from: str
    serial_to: str
    quantity_g: int
    log_index: int


class CancellationOut(BaseModel):
    """A cancellation in another registry, and the log entry that records it on Lingtan."""

    record_id: str
    registry: str
    serial_from: str
    serial_to: str
    quantity_g: int
    cancellation_ref: str
    log_index: int


class CertificateOut(BaseModel):
    """A certificate: what it states, its signed form (application/vc+jwt) and its live status."""

    id: str
    credential_id: str
    application_id: str
    event_id: str
    jurisdiction: str
    status: Literal["valid", "revoked"]
    event_name: str
    organizers: list[str]
    starts_at: date
    ends_at: date
    accounted_kgco2e: str
    offsets: list[OffsetOut]
    registry_retirements: list[RetiredRangeOut]
    external_cancellations: list[CancellationOut]
    confirmation_method: str
    issuer: str
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    jws: str = Field(description="The signed certificate: ES256 compact JWS, media type application/vc+jwt")
    credential: dict[str, Any] = Field(description="The credential the JWS signs (W3C VC 2.0)")
    status_list_url: str
    status_list_index: int
    verification_url: str
    pdf_url: str
    png_url: str


class RevocationIn(BaseModel):
    """Why a certificate is revoked."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class RevocationOut(BaseModel):
    """A revocation on record."""

    id: str
    certificate_id: str
    reason: str
    source: Literal["request", "audit"] = Field(description="request: POST /revocation; audit: a failed finding")
    audit_round_id: str | None
    revoked_at: datetime
    revoked_by: str
    status_list_url: str
    status_list_index: int
