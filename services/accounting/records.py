"""Base of the accounting domain's immutable records, and bilingual text."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FrozenModel(BaseModel):
    """An immutable record that rejects unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalizedText(FrozenModel):
    """The same text in Chinese and English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
