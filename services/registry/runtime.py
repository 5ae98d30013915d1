"""What the registry's endpoints share: the service context, settings, the log signer and cursors."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from services.registry.log.keys import LogSigner, load_signer
from services.registry.log.sequencer import Sequencer
from services.registry.settings import RegistrySettings
from services.registry.units import UnitRunner
from shared.app import ServiceContext
from shared.pagination import CursorCodec


@dataclass
class RegistryRuntime:
    """The running registry: its kernel context, its settings, the runner of its units of work, its log's
    sequencer and signer (loaded once)."""

    context: ServiceContext
    settings: RegistrySettings
    _signer: LogSigner | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    units: UnitRunner = field(init=False)
    sequencer: Sequencer = field(init=False)

    def __post_init__(self) -> None:
        self.units = UnitRunner(self.context.database, self.settings.database_pool_size)
        self.sequencer = Sequencer(self.context.database, self.context.outbox, self.units)

    @property
    def signer(self) -> LogSigner:
        """The log's signer; the development key is created on first use."""
        with self._lock:
            if self._signer is None:
                self._signer = load_signer(self.settings, self.context.database.writes)
            return self._signer

    def cursors(self, purpose: str) -> CursorCodec:
        """The cursor codec of one list."""
        return CursorCodec(self.settings.secret_key, f"registry:{purpose}")


async def registry_runtime(request: Request) -> RegistryRuntime:
    """The running registry, for endpoints (a coroutine: a plain function would cost every request a
    round trip through the thread pool)."""
    runtime: RegistryRuntime = request.app.state.registry
    return runtime


Runtime = Annotated[RegistryRuntime, Depends(registry_runtime)]
