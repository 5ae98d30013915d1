"""Policy documents as published and as read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BODY_CHARS = 20_000
PolicyKind = Literal["policy", "notice"]


class PolicyIn(BaseModel):
    """A policy document or notice to publish; an existing slug gets a new version."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(max_length=100, pattern=r"^[a-z0-9][a-z0-9-]{0,99}$", description="Stable name across versions")
    title_zh: str = Field(min_length=1, max_length=300)
    title_en: str = Field(min_length=1, max_length=300)
    kind: PolicyKind
    jurisdiction: str = Field(
        max_length=5, pattern=r"^CN(-[A-Z]{2})?$", description="CN, or an ISO 3166-2 province code"
    )
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Plain text")
    effective_date: date


class PolicyOut(BaseModel):
    """One version of a published policy document or notice."""

    slug: str
    version: int
    latest: bool
    title_zh: str
    title_en: str
    kind: PolicyKind
    jurisdiction: str
    body: str
    effective_date: date
    published_at: datetime
