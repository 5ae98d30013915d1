"""Choosing and moving credit blocks: the holder keeps the head of a split block, the tail moves.

Used by transfers (the tail goes to another account) and by retirements and donations (the tail
is retired). The choice is ``blocks.pick_blocks``: oldest vintage, then lowest serial, first,
unless the caller names blocks.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from services.registry.credits import repository
from services.registry.credits.blocks import CreditBlock, InsufficientCreditsError, Pick, pick_blocks
from services.registry.credits.repository import BlockView
from services.registry.identifiers import new_id
from services.registry.problems import InsufficientCredits
from shared.db.executor import Executor
from shared.problems import InvalidInput


@dataclass(frozen=True)
class Moved:
    """A serial range that moved (or was retired), with the block it came from."""

    source: BlockView
    block: CreditBlock


def choose(held: list[BlockView], quantity: int, named: Collection[str] | None) -> list[tuple[BlockView, Pick]]:
    """Pick the blocks that cover ``quantity`` grams; 409 if the holdings are short."""
    by_serial = {view.serial: view for view in held}
    try:
        picks = pick_blocks([view.block for view in held], quantity, named)
    except InsufficientCreditsError as exc:
        raise InsufficientCredits(
            f"Insufficient credits: the account holds {exc.held} g eligible, {exc.requested} g were asked for.",
            held_g=exc.held,
            requested_g=exc.requested,
        ) from exc
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    return [(by_serial[pick.source.serial], pick) for pick in picks]


def move(
    session: Executor,
    chosen: list[tuple[BlockView, Pick]],
    to_account: str,
    retirement_id: str | None,
    at: datetime,
) -> list[Moved]:
    """Move (or retire, when ``retirement_id`` is given) each picked block or tail, conditionally."""
    moved: list[Moved] = []
    for view, pick in chosen:
        if pick.kept is None:
            repository.take_whole(session, view, to_account, retirement_id)
        else:
            repository.shrink(session, view, pick.kept)
            repository.add_block(
                session,
                block_id=new_id("blk"),
                source=view,
                block=pick.moved,
                project_id=view.project_id,
                account_id=to_account,
                retirement_id=retirement_id,
                created_at=at,
            )
        moved.append(Moved(view, pick.moved))
    return moved
