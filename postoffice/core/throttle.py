"""Token buckets on the service clock: each key's bucket refills at `rate` tokens a second up
to `burst`, and one call takes one token. A bucket starts full, and starts over full when its
limits change (a new throttle setting is a new bucket, as in AWS)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass
class Bucket:
    rate: float
    burst: float
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(self) -> None:
        self._buckets: dict[Hashable, Bucket] = {}

    def clear(self) -> None:
        self._buckets.clear()

    def take(self, key: Hashable, rate: float, burst: float, now: float) -> float:
        """0 when a call may go now (and counts it), else the seconds until a token is due."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket.rate != rate or bucket.burst != burst:
            bucket = self._buckets[key] = Bucket(rate, burst, float(burst), now)
        bucket.tokens = min(float(burst), bucket.tokens + max(now - bucket.updated, 0.0) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        if rate <= 0 or burst < 1:
            return math.inf
        return (1.0 - bucket.tokens) / rate
