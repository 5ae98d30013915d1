"""Pooled connections to each service.

httpcore's connection pool checks every pooled connection under one lock on each request, so one big
pool degrades as concurrency grows (measured here: 16 concurrent requests through one pool got about
half the throughput of the same requests spread over several). Each service therefore gets a few
small pools, taken in turn.
"""

from __future__ import annotations

import itertools

import httpx

SHARDS = 8
KEEPALIVE_SECONDS = 2.0


class Upstream:
    """A service's base URL behind a handful of pooled httpx clients."""

    def __init__(
        self,
        base_url: str,
        timeout: httpx.Timeout,
        transport: httpx.AsyncBaseTransport | None = None,
        shards: int = SHARDS,
        connections_per_shard: int = 32,
    ) -> None:
        # Idle connections are dropped well before the services' keep-alive timeout (uvicorn: 5 s), so
        # the proxy never writes a request into a connection the service is closing.
        limits = httpx.Limits(
            max_connections=connections_per_shard,
            max_keepalive_connections=connections_per_shard,
            keepalive_expiry=KEEPALIVE_SECONDS,
        )
        self.clients = [
            httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits, transport=transport)
            for _ in range(1 if transport is not None else shards)
        ]
        self._turn = itertools.cycle(self.clients)

    def client(self) -> httpx.AsyncClient:
        """The next pool in turn."""
        return next(self._turn)

    async def aclose(self) -> None:
        """Close every pool."""
        for client in self.clients:
            await client.aclose()
