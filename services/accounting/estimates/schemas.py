"""What calculators send: activity lines and/or a headcount with an origin mix (bounded)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from services.accounting.inventories.schemas import MAX_PARTICIPANTS, Calculated, EstimatedLineIn, refuse_float
from services.accounting.inventory.vocabulary import Phase

MAX_ESTIMATE_LINES = 1_000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OriginShareIn(_In):
    """A share of participants travelling by one mode over an average one-way distance."""

    mode: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        examples=["flight", "high_speed_rail", "rail", "coach", "car", "taxi", "metro", "bus", "walk_or_cycle"]
    )
    share: Annotated[Decimal, Field(ge=0, le=1, max_digits=12, examples=["0.4"]), BeforeValidator(refuse_float)]
    one_way_km: Annotated[
        Decimal, Field(ge=0, le=40_000, max_digits=12, examples=["850"]), BeforeValidator(refuse_float)
    ]
    overnight: bool | None = Field(default=None, description="Override the mode's default hotel need.")


class ParticipantEstimateIn(_In):
    """A headcount, the number of event days and how participants travel."""

    headcount: int = Field(strict=True, ge=0, le=MAX_PARTICIPANTS)
    days: int = Field(strict=True, ge=1, le=366)
    origin_mix: list[OriginShareIn] = Field(min_length=1, max_length=20)
    phase: Phase = Phase.HOLDING


class EstimateIn(_In):
    """Activity lines and/or a participant-based estimate; at least one of them."""

    lines: list[EstimatedLineIn] = Field(default_factory=list, max_length=MAX_ESTIMATE_LINES)
    participants: ParticipantEstimateIn | None = None

    @model_validator(mode="after")
    def _something(self) -> EstimateIn:
        if not self.lines and self.participants is None:
            raise ValueError("give activity lines, a participant estimate, or both")
        return self


class EstimateOut(Calculated):
    """Estimated emissions with a trace per line; estimated lines carry labels saying how they were made."""

    assumptions: str | None = Field(description="The assumptions of participant-based estimates, when used.")
