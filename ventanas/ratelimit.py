"""Rate limits for `serve`'s sign-up form: token buckets, in memory, per key and overall.

A bucket holds up to ``per_hour`` tokens and gains ``per_hour`` an hour, a
fraction at a time; a request takes one, and one that finds none is refused
with the seconds until the next. A key seen once is a full bucket again after
an hour, so full buckets are forgotten: the table holds only keys that used
the form lately, and at most :data:`MAX_KEYS` of them (past that, the oldest
go first: the overall limit still holds for what they might send).

The buckets live in the `serve` process; a restart forgets them. Confirmation
mail to one address is limited in the database as well (subscriptions.request).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 100_000  # about 20 MB at most


@dataclass
class _Bucket:
    tokens: float
    at: float  # time.monotonic() of the last update


class TokenBuckets:
    """One bucket per key, each ``per_hour`` tokens an hour, in bursts of ``per_hour``."""

    def __init__(self, per_hour: int, *, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self.capacity = float(per_hour)
        self.rate = per_hour / 3600.0  # tokens a second
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    def _level(self, key: str, now: float) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            return self.capacity
        return min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` has a token (0: it has one now)."""
        level = self._level(key, now)
        return 0.0 if level >= 1 else (1 - level) / self.rate

    def take(self, key: str, now: float) -> None:
        level = self._level(key, now)
        self._buckets.pop(key, None)  # re-inserted last: the dict stays in order of use
        self._buckets[key] = _Bucket(level - 1, now)
        if len(self._buckets) > self.max_keys:
            self._forget(now)

    def _forget(self, now: float) -> None:
        for key in [k for k in self._buckets if self._level(k, now) >= self.capacity]:
            del self._buckets[key]
        while len(self._buckets) > self.max_keys:
            del self._buckets[next(iter(self._buckets))]


class SignupLimits:
    """Sign-ups per client and overall: a sign-up is let through only if both have a token."""

    def __init__(self, per_client_hour: int, per_hour: int, *, clock: Callable[[], float] = time.monotonic):
        self.clients = TokenBuckets(per_client_hour, clock=clock)
        self.everyone = TokenBuckets(per_hour, clock=clock)
        self.clock = clock
        self._lock = threading.Lock()  # handlers run in several threads

    def admit(self, client: str) -> int:
        """0 if ``client`` may sign up now (and it is counted); else the whole seconds to wait."""
        with self._lock:
            now = self.clock()
            wait = max(self.clients.wait(client, now), self.everyone.wait("", now))
            if wait > 0:
                return max(1, math.ceil(wait))
            self.clients.take(client, now)
            self.everyone.take("", now)
            return 0
