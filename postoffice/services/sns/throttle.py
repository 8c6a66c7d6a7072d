"""An HTTP/S subscription's throttlePolicy: at most maxReceivesPerSecond deliveries a second."""

from __future__ import annotations

from postoffice.core.clock import Clock


class RateLimiter:
    """A token bucket per key on the service clock, refilled at `rate` a second up to `rate`."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, as of)

    def acquire(self, key: str, rate: int) -> float:
        """0 when a delivery may go now (and counts it), else the seconds until one may."""
        now = self.clock.now()
        tokens, since = self._buckets.get(key, (float(rate), now))
        tokens = min(float(rate), tokens + (now - since) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate
