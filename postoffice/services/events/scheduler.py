"""Scheduled rules fire on the service clock.

Each enabled rule with a ScheduleExpression has one task that sleeps on the clock until its
next firing, hands the firing off, and sleeps again, counting from the firing it just did (so a
virtual clock moved by an hour fires a `rate(1 minute)` rule sixty times, in order). Writing or
deleting the rule restarts or ends its task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from postoffice.core.clock import Clock
from postoffice.services.events.arns import DEFAULT_BUS, BusRef
from postoffice.services.events.models import Rule
from postoffice.services.events.schedule import Rate, ScheduleError, parse_schedule

log = logging.getLogger("postoffice.events.scheduler")

Fire = Callable[[BusRef, str, float], Awaitable[None]]
TaskKey = tuple[str, str, str]


class Scheduler:
    def __init__(self, clock: Clock, fire: Fire) -> None:
        self.clock = clock
        self.fire = fire
        self._tasks: dict[TaskKey, asyncio.Task[None]] = {}
        self._firings: set[asyncio.Task[None]] = set()
        self.running = False

    def update(self, ref: BusRef, key: str, rule: Rule | None) -> None:
        task_key = (ref.account, ref.region, key)
        task = self._tasks.pop(task_key, None)
        if task is not None:
            task.cancel()
        if not self.running or rule is None or not rule.enabled or not rule.schedule_expression:
            return
        if ref.name != DEFAULT_BUS:
            return
        self._tasks[task_key] = asyncio.get_running_loop().create_task(self._run(ref, rule))

    async def stop(self) -> None:
        self.running = False
        tasks = [*self._tasks.values(), *self._firings]
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, ref: BusRef, rule: Rule) -> None:
        try:
            schedule = parse_schedule(rule.schedule_expression or "")
        except ScheduleError:
            log.warning("rule %s has an invalid schedule %r", rule.arn, rule.schedule_expression)
            return
        last = self.clock.now()
        while True:
            if isinstance(schedule, Rate):
                due: float | None = schedule.next_after(last, rule.schedule_anchor)
            else:
                due = schedule.next_after(last)
            if due is None:
                return
            await self.clock.sleep_until(due)
            last = due
            firing = asyncio.get_running_loop().create_task(self._fire(ref, rule.key, due))
            self._firings.add(firing)
            firing.add_done_callback(self._firings.discard)

    async def _fire(self, ref: BusRef, key: str, due: float) -> None:
        try:
            await self.fire(ref, key, due)
        except Exception:
            log.exception("scheduled rule %s failed to fire", key)
