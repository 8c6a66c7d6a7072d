"""Retention: the periods AWS allows, and a sweeper that deletes what has expired on the clock.

The sweeper sleeps on the system clock until the oldest retained event of any group comes due
(or until poked with an earlier due time), then deletes every expired event. On the virtual
clock, advancing time past a due moment runs the sweep at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from postoffice.core.clock import Clock

log = logging.getLogger("postoffice.logs")

RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

IDLE_RECHECK_SECONDS = 3600.0


class RetentionSweeper:
    def __init__(
        self,
        clock: Clock,
        next_due: Callable[[], float | None],
        sweep: Callable[[], Awaitable[None]],
    ) -> None:
        self.clock = clock
        self._next_due = next_due
        self._sweep = sweep
        self._poked = asyncio.Event()
        self._scheduled: float | None = None
        self._task: asyncio.Task[None] | None = None

    def poke(self, due: float | None = None) -> None:
        """Something changed; `due` (epoch seconds) is when it will first need a sweep, if known."""
        if due is None or self._scheduled is None or due < self._scheduled:
            self._poked.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="logs-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._poked.clear()
            try:
                await self._sweep()
                due = self._next_due()
            except Exception:
                log.exception("log retention sweep failed")
                due = None
            self._scheduled = due
            deadline = due if due is not None else self.clock.now() + IDLE_RECHECK_SECONDS
            sleeper = asyncio.ensure_future(self.clock.sleep_until(deadline))
            poked = asyncio.ensure_future(self._poked.wait())
            try:
                await asyncio.wait({sleeper, poked}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                poked.cancel()
