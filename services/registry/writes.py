"""Value-moving writes: one idempotent unit of work, retried while concurrent writers win the race,
then sequenced into the log before it is acknowledged.

The unit runner (units.py) runs the unit in a transaction and retries it a few times when a
conditional update finds its row changed. Under a burst on one account (fifty retirements against
one block) a request can lose more races than that, so the registry keeps retrying the whole unit
until it succeeds, is refused for a reason of its own (insufficient credits, a double claim), or
a deadline passes, which answers 503 with Retry-After rather than an error.

The unit queues its log entry; its answer (and the answer stored for its Idempotency-Key) carries
``PENDING_INDEX`` as the log index until the sequencer has appended the entry, and a replay asks the
sequencer again, so the index an answer shows is always the entry's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.registry.log.service import PENDING_INDEX
from services.registry.problems import RegistryBusy
from services.registry.runtime import RegistryRuntime
from shared.auth.tokens import Principal
from shared.db.executor import Executor
from shared.db.transactions import ConcurrentUpdate
from shared.idempotency import answer as idempotent_answer
from shared.idempotency import fingerprint, idempotent_unit

BUSY_DEADLINE_SECONDS = 20.0
Work = Callable[[Executor], tuple[int, dict[str, Any]]]


async def run_write(
    request: Request, principal: Principal, key: str | None, body: BaseModel | None, work: Work
) -> JSONResponse:
    """Run ``work`` once per Idempotency-Key; a repeat returns the first answer and moves nothing.

    The registry's runtime comes from the request, not a dependency of each endpoint: FastAPI's
    resolution of one more dependency cost a write about 18 us, measured.
    """
    runtime: RegistryRuntime = request.app.state.registry
    context = runtime.context
    # Only a keyed write is ever compared with an earlier one.
    asked = None if body is None else body.model_dump(mode="json")
    digest = fingerprint("POST", request.url.path, asked) if key is not None else ""
    unit = idempotent_unit(context.idempotency, owner=principal.owner, key=key, digest=digest, work=work)
    deadline = time.monotonic() + BUSY_DEADLINE_SECONDS
    while True:
        try:
            # Not durable on its own: its answer waits for the batch that appends its entry, whose durable
            # commit comes after this one in the WAL and so makes both durable before anyone is told.
            status, answer, replayed = await runtime.units.run(unit, retry_integrity=key is not None, durable=False)
            break
        except ConcurrentUpdate as exc:
            if time.monotonic() >= deadline:
                raise RegistryBusy("Concurrent changes to the same credits kept winning; retry shortly.") from exc
    if not (isinstance(answer, dict) and answer.get("log_index") == PENDING_INDEX):
        # Waiting for the batch is what makes the unit's commit durable: a write that queued no entry
        # would be answered before its change is safe on disk.
        raise RuntimeError("a registry write must queue its log entry before it answers")
    answer = {**answer, "log_index": await runtime.sequencer.index_of(answer["id"])}
    return idempotent_answer(status, answer, replayed)
