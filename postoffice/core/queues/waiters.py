"""Long-poll waiters: receivers parked on a queue until something may be there for them.

Each queue name has a version, bumped by every event that can make a message available
(a send, a release, a timer, a group unblocked, a purge or delete). A receiver reads the
version before it claims; if the claim found nothing and the version has not moved, it parks
until woken or until its deadline on the clock. Wake-ups go to the longest-waiting receivers
first, one per message that became available; a woken receiver that is cancelled before it
could claim passes its wake-up on.
"""

from __future__ import annotations

import asyncio
from collections import deque

from postoffice.core.clock import Clock


class Waiters:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._parked: dict[str, deque[asyncio.Future[None]]] = {}
        self._versions: dict[str, int] = {}

    def version(self, name: str) -> int:
        return self._versions.get(name, 0)

    def waiting(self, name: str) -> int:
        parked = self._parked.get(name)
        return 0 if parked is None else sum(1 for future in parked if not future.done())

    def wake(self, name: str, count: int) -> None:
        self._versions[name] = self._versions.get(name, 0) + 1
        parked = self._parked.get(name)
        while parked and count > 0:
            future = parked.popleft()
            if not future.done():
                future.set_result(None)
                count -= 1
        if parked is not None and not parked:
            del self._parked[name]

    def wake_all(self, name: str) -> None:
        self.wake(name, len(self._parked.get(name, ())))

    def wake_everyone(self) -> None:
        for name in list(self._parked):
            self.wake_all(name)

    async def wait(self, name: str, until: float | None) -> None:
        """Park until woken, or until the clock reaches `until` (None: only a wake-up ends it)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._parked.setdefault(name, deque()).append(future)
        sleeper = None if until is None else asyncio.ensure_future(self._clock.sleep_until(until))
        try:
            if sleeper is None:
                await future
            else:
                await asyncio.wait((future, sleeper), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.wake(name, 1)
            raise
        finally:
            if sleeper is not None:
                sleeper.cancel()
            if not future.done():
                future.cancel()
                self._unpark(name, future)

    def _unpark(self, name: str, future: asyncio.Future[None]) -> None:
        parked = self._parked.get(name)
        if parked is None:
            return
        try:
            parked.remove(future)
        except ValueError:
            return
        if not parked:
            del self._parked[name]
