"""Token buckets on the clock: a rate (requests per second) refills up to a burst."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bucket:
    rate: float
    burst: float
    tokens: float
    updated: float


class Throttle:
    def __init__(self) -> None:
        self.buckets: dict[tuple[str, ...], Bucket] = {}

    def clear(self) -> None:
        self.buckets.clear()

    def allow(self, key: tuple[str, ...], rate: float, burst: float, now: float) -> bool:
        bucket = self.buckets.get(key)
        if bucket is None or bucket.rate != rate or bucket.burst != burst:
            bucket = self.buckets[key] = Bucket(rate, burst, float(burst), now)
        elapsed = max(now - bucket.updated, 0.0)
        bucket.tokens = min(float(burst), bucket.tokens + elapsed * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False
