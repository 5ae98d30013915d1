"""What the evaluations API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.certification.applications.schemas import ApplicationOut

Name = Annotated[str, Field(min_length=1, max_length=200)]


class EvaluationCreate(BaseModel):
    """An accredited third-party body's evaluation of the event's neutrality."""

    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, Field(min_length=1, max_length=300, description="The accredited evaluation body")]
    accreditation_number: Annotated[str, Field(min_length=1, max_length=100)]
    evaluators: Annotated[list[Name], Field(min_length=2, max_length=50, description="At least two evaluators")]
    conclusion: Literal["confirmed", "not_confirmed"] = Field(
        description="confirmed: the body confirms the event is carbon neutral"
    )
    statement: Annotated[str, Field(max_length=5000)] | None = None
    report_sha256: Annotated[
        str, Field(max_length=64, pattern=r"^[0-9a-f]{64}$", description="Lowercase hex SHA-256 of the report")
    ]

    @field_validator("evaluators")
    @classmethod
    def _distinct(cls, evaluators: list[str]) -> list[str]:
        names = [name.strip() for name in evaluators]
        if any(not name for name in names):
            raise ValueError("an evaluator's name must not be blank")
        if len(set(names)) != len(names):
            raise ValueError("evaluators must be at least two different people")
        return names


class EvaluationOut(BaseModel):
    """An evaluation on record, and the application with its confirmation check brought up to date."""

    id: str
    application_id: str
    body: str
    accreditation_number: str
    evaluators: list[str]
    conclusion: Literal["confirmed", "not_confirmed"]
    statement: str | None
    report_sha256: str
    recorded_by: str
    created_at: datetime
    application: ApplicationOut
