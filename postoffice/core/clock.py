"""The one clock every time-based behaviour reads and waits on.

`RealClock` follows wall time. `VirtualClock` stands still until told to move
(`advance`/`set`); moving it wakes every sleeper whose deadline has come, in deadline order,
so tests of visibility timeouts, delays, retries and schedules run instantly.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from abc import ABC, abstractmethod


class Clock(ABC):
    kind: str

    @abstractmethod
    def now(self) -> float:
        """Seconds since the epoch."""

    @abstractmethod
    async def sleep_until(self, deadline: float) -> None:
        """Return once `now() >= deadline`."""

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.now() + seconds)

    def now_ms(self) -> int:
        return int(self.now() * 1000)


class RealClock(Clock):
    kind = "real"

    def now(self) -> float:
        return time.time()

    async def sleep_until(self, deadline: float) -> None:
        delay = deadline - time.time()
        if delay > 0:
            await asyncio.sleep(delay)


class VirtualClock(Clock):
    """A clock that moves only when told to; sleepers wake in deadline order."""

    kind = "virtual"

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep_until(self, deadline: float) -> None:
        if deadline <= self._now:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (deadline, next(self._order), future))
        await future

    async def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock cannot go backwards")
        await self.set(self._now + seconds)

    async def set(self, epoch_seconds: float) -> None:
        """Move to `epoch_seconds`, stopping at each due deadline so work fires in order."""
        if epoch_seconds < self._now:
            raise ValueError("the clock cannot go backwards")
        while self._sleepers and self._sleepers[0][0] <= epoch_seconds:
            deadline, _, future = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            if not future.done():
                future.set_result(None)
            await _let_woken_tasks_run()
        self._now = epoch_seconds
        await _let_woken_tasks_run()


async def _let_woken_tasks_run(rounds: int = 8) -> None:
    # A woken task may await the store (group commit) before it schedules its next timer.
    for _ in range(rounds):
        await asyncio.sleep(0)


def make_clock(kind: str) -> Clock:
    if kind == "real":
        return RealClock()
    if kind == "virtual":
        return VirtualClock()
    raise ValueError(f"unknown clock {kind!r}: use real or virtual")
