"""What the issuance and transfer APIs take and return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.registry.credits.blocks import CreditBlock
from services.registry.vocabulary import AccountId, Grams, Identifier, UnitType, Vintage

MAX_NAMED_BLOCKS = 100


def _serial(value: str) -> str:
    CreditBlock.parse(value)
    return value


BlockSerial = Annotated[
    str,
    Field(max_length=100, description="A held block's serial: UNIT-PROJECT-VINTAGE-START-END (15-digit grams)"),
    AfterValidator(_serial),
]
NamedBlocks = Annotated[
    list[BlockSerial] | None,
    Field(
        default=None,
        max_length=MAX_NAMED_BLOCKS,
        description="Take only these held blocks (oldest vintage first among them); default: any held block",
    ),
]


class SerialRangeOut(BaseModel):
    """A serial range that moved or was retired, with the project it comes from."""

    serial: str
    start: int
    end: int
    quantity_g: int
    project_id: str
    project_name: str
    province: str
    category: str
    vintage: int


class IssuanceCreate(BaseModel):
    """Credits of a filed project's vintage, issued into an account as one new block."""

    model_config = ConfigDict(extra="forbid")

    project_id: Identifier
    account_id: AccountId
    vintage: Vintage
    quantity: Grams


class IssuanceOut(BaseModel):
    """An issuance and the block it created."""

    id: str
    project_id: str
    account_id: str
    unit_type: str
    vintage: int
    quantity_g: int
    serial: str
    start: int
    end: int
    log_index: int
    issued_at: datetime


class TransferCreate(BaseModel):
    """Credits moved from an account of the token's owner to another account."""

    model_config = ConfigDict(extra="forbid")

    from_account: AccountId
    to_account: AccountId
    quantity: Grams
    unit_type: UnitType
    blocks: NamedBlocks = None


class TransferOut(BaseModel):
    """A transfer with the serial ranges that moved."""

    id: str
    from_account: str
    to_account: str
    unit_type: str
    quantity_g: int
    serial_ranges: list[SerialRangeOut]
    log_index: int
    transferred_at: datetime
