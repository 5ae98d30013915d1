"""A cache of an issuer's signing keys that follows rotation without letting a flood of unknown kids through."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

JwksFetcher = Callable[[], Awaitable[dict[str, Any]]]


class JwksCache:
    """Keys by kid; an unknown kid triggers at most one refetch per `min_refresh` seconds, shared by all waiters."""

    def __init__(self, fetch: JwksFetcher, min_refresh: float = 30.0, max_age: float = 300.0) -> None:
        self._fetch = fetch
        self._min_refresh = min_refresh
        self._max_age = max_age
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    async def _refresh(self) -> None:
        document = await self._fetch()
        self.fetch_count += 1
        keys = {}
        for key in document.get("keys", []):
            if isinstance(key, dict) and isinstance(key.get("kid"), str) and "d" not in key:
                keys[key["kid"]] = key
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def get(self, kid: str) -> dict[str, Any] | None:
        """The public JWK with this kid, refetching the set when the kid is new and the set is not fresh."""
        age = time.monotonic() - self._fetched_at
        if kid in self._keys and age < self._max_age:
            return self._keys[kid]
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            # Waiters that queued behind one refetch reuse its result instead of fetching again.
            if (kid not in self._keys and age >= self._min_refresh) or age >= self._max_age:
                try:
                    await self._refresh()
                except (httpx.HTTPError, ValueError):
                    if not self._keys:
                        raise
        return self._keys.get(kid)


def http_jwks_fetcher(url: str, timeout: float = 5.0) -> JwksFetcher:
    """Fetch a JWKS document over HTTP(S)."""

    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url)
            response.raise_for_status()
            data = response.json()
            if not isinstance(data, dict):
                raise ValueError("JWKS document is not an object")
            return data

    return fetch
