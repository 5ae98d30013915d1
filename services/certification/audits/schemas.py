"""What the audits API takes and returns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Jurisdiction = Annotated[str, Field(max_length=6, pattern=r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$", examples=["CN-HI"])]


class RoundCreate(BaseModel):
    """A round to draw: which jurisdiction's certificates, at which rate."""

    model_config = ConfigDict(extra="forbid")

    jurisdiction: Jurisdiction
    sample_rate: Annotated[
        str,
        Field(
            max_length=8,
            pattern=r"^(?:0|1)(?:\.[0-9]{1,6})?$",
            description="A decimal string in (0, 1], e.g. \"0.1\": exact, never a float",
            examples=["0.1"],
        ),
    ]

    @field_validator("sample_rate")
    @classmethod
    def _in_range(cls, value: str) -> str:
        if not Decimal(0) < Decimal(value) <= Decimal(1):
            raise ValueError("the sample rate lies in (0, 1]")
        return value


class DrawCheckpointOut(BaseModel):
    """The signed registry checkpoint the draw is seeded from, and the key that verified it."""

    origin: str
    tree_size: int
    root_hash: str = Field(description="Lowercase hex of the 32-byte root hash")
    note: str = Field(description="The signed checkpoint note as the registry published it")
    log_key: str = Field(description="The verifier key the signature was checked with")


class FindingOut(BaseModel):
    """A finding on record."""

    id: str
    round_id: str
    certificate_id: str
    outcome: Literal["pass", "fail"]
    findings: str
    recorded_by: str
    created_at: datetime
    certificate_status: Literal["valid", "revoked"]
    revocation_id: str | None = Field(description="The revocation this failed finding caused, if it caused one")


class RoundOut(BaseModel):
    """A round with everything needed to redo its draw (see `method`), and its findings so far."""

    id: str
    jurisdiction: str
    sample_rate: str
    checkpoint: DrawCheckpointOut
    seed: str = Field(description="Lowercase hex of SHA-256(root hash || tree size || round id)")
    method: str
    population: list[str]
    sample: list[str]
    created_at: datetime
    findings: list[FindingOut]


class FindingCreate(BaseModel):
    """What the auditor found for a drawn certificate; a fail revokes it."""

    model_config = ConfigDict(extra="forbid")

    certificate_id: Annotated[str, Field(min_length=1, max_length=40)]
    outcome: Literal["pass", "fail"]
    findings: Annotated[str, Field(min_length=1, max_length=5000)]
