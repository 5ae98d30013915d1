"""What the accounts API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.vocabulary import Party, Text

AccountKind = Literal["organization", "person", "event"]
BLOCKS_SHOWN = 500


class AccountCreate(BaseModel):
    """An account to open for an owner (an organization, a person or an event)."""

    model_config = ConfigDict(extra="forbid")

    owner: Annotated[Party, Field(description="Who the account belongs to; tokens act for their owner")]
    kind: AccountKind
    name: Text


class Holding(BaseModel):
    """Grams held of one unit type, project and vintage."""

    unit_type: str
    project_id: str
    project_code: str
    vintage: int
    quantity_g: int = Field(description="Grams of CO2e held")


class HeldBlockOut(BaseModel):
    """One credit block held by the account."""

    serial: str
    unit_type: str
    project_id: str
    vintage: int
    start: int
    end: int
    quantity_g: int


class AccountOut(BaseModel):
    """An account; its holdings and blocks are filled where the caller may see them."""

    id: str
    owner: str
    kind: AccountKind
    name: str
    created_at: datetime
    log_index: int | None = Field(default=None, description="The log entry that recorded the opening")
    holdings: list[Holding] = Field(default_factory=list)
    blocks: list[HeldBlockOut] = Field(default_factory=list, description=f"At most {BLOCKS_SHOWN}, oldest first")
    blocks_truncated: bool = False
