"""What the log API returns. Hashes are standard base64 of 32 bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

MAX_ENTRIES_PAGE = 1000


class CheckpointOut(BaseModel):
    """The latest signed checkpoint: the C2SP signed note, and its fields for convenience."""

    origin: str
    tree_size: int
    root_hash: str
    signed_at: datetime
    checkpoint: str = Field(description="The signed note; verify it with the key from /v1/log/public-key")


class ConsistencyOut(BaseModel):
    """An RFC 9162 consistency proof between two tree sizes."""

    first: int
    second: int
    proof: list[str]


class EntryOut(BaseModel):
    """One log entry: its JSON object (the leaf data is its RFC 8785 form) and the stored leaf hash."""

    index: int
    leaf_hash: str
    entry: dict[str, Any]


class EntriesOut(BaseModel):
    """Entries start <= index < end of a log of ``tree_size`` entries."""

    start: int
    end: int
    tree_size: int
    entries: list[EntryOut]


class PublicKeyOut(BaseModel):
    """The log's verifier key, in the golang.org/x/mod/sumdb/note vkey format."""

    vkey: str
    origin: str
    algorithm: str = "Ed25519"
