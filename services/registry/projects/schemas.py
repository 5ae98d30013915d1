"""What the projects API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.registry.vocabulary import UNIT_PROVINCES, Province, Text, UnitType

Category = Literal["forestry", "ocean", "other"]
ProjectCode = Annotated[
    str,
    Field(
        max_length=32,
        pattern=r"^[A-Z0-9]{1,32}$",
        description="The short code that names the project in serials (1-32 uppercase letters or digits)",
        examples=["HNMG0001"],
    ),
]


class ProjectCreate(BaseModel):
    """A carbon-inclusion project filed with the platform by the registry operator."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    code: ProjectCode
    unit_type: UnitType = Field(description="HNCI (Hainan carbon-inclusion) or SDCI (Shandong)")
    province: Province
    category: Category
    methodology: Text
    new_sink: bool = Field(
        default=False,
        description="A new forestry or ocean sink project: once used for one event's neutrality it is "
        "bound to that event for good (Shandong's rule)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ProjectCreate:
        expected = UNIT_PROVINCES[self.unit_type]
        if self.province != expected:
            raise ValueError(f"{self.unit_type} credits come from projects in {expected}, not {self.province}")
        if self.new_sink and self.category == "other":
            raise ValueError("new_sink applies to forestry or ocean projects only")
        return self


class ProjectOut(BaseModel):
    """A filed project."""

    id: str
    name: str
    code: str
    unit_type: str
    province: str
    category: Category
    methodology: str
    new_sink: bool
    created_at: datetime
    log_index: int | None = None
