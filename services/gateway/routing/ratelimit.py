"""A token bucket per caller: the verified client when a token is present, else the socket address."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class RateLimiter:
    """Allows `rate` requests a second with bursts of `burst`; remembers at most `max_keys` callers."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _tokens(self, bucket: tuple[float, float] | None, now: float) -> float:
        if bucket is None:
            return float(self.burst)
        tokens, last = bucket
        return min(float(self.burst), tokens + (now - last) * self.rate)

    def _wait(self, tokens: float) -> float:
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def wait(self, key: str) -> float:
        """Seconds until `key` has a token again (0 when it has one now), taking none."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
        return self._wait(self._tokens(bucket, now))

    def allow(self, key: str) -> tuple[bool, float]:
        """Take one token for `key`; returns (allowed, seconds until the next token if refused)."""
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(self._buckets.pop(key, None), now)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return allowed, self._wait(tokens)
