"""What the external-cancellations API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.vocabulary import Grams, Identifier, Province, Vintage

ExternalRegistry = Literal["CCER", "CEA", "CER", "VCU"]
SerialText = Annotated[str, Field(min_length=1, max_length=200)]


class CancellationCreate(BaseModel):
    """A cancellation made in another registry, reported with its evidence's SHA-256.

    Units of CCER, CEA, CER and VCU are tonnes, so ``quantity`` (grams) must be whole tonnes, and
    where the serials carry a numeric range it must equal (last - first + 1) x 1,000,000.
    """

    model_config = ConfigDict(extra="forbid")

    event_id: Identifier
    registry: ExternalRegistry
    serial_from: SerialText
    serial_to: SerialText
    quantity: Grams
    cancellation_ref: Annotated[str, Field(min_length=1, max_length=200)]
    project_id: Identifier = Field(description="The project's id in its own registry")
    project_province: Province
    vintage: Vintage
    evidence_sha256: Annotated[
        str, Field(max_length=64, pattern=r"^[0-9a-f]{64}$", description="Lowercase hex SHA-256")
    ]


class CancellationOut(BaseModel):
    """A recorded external cancellation and the log entry that records it."""

    id: str
    kind: Literal["external_cancellation"] = "external_cancellation"
    event_id: str
    registry: str
    serial_from: str
    serial_to: str
    series: str = Field(description="The series the serials count within, as parsed")
    range_start: int
    range_end: int
    quantity_g: int
    cancellation_ref: str
    project_id: str
    project_province: str
    vintage: int
    evidence_sha256: str
    log_index: int
    recorded_at: datetime
