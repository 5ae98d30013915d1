"""Path parameters naming records: bounded like every other input, so an id is never an unbounded string."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ID_LENGTH = 100

RecordId = Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH, description="A record's id")]
