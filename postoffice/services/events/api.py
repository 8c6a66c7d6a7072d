"""Amazon EventBridge (CloudWatch Events): buses, rules, targets, schedules, archives and
replays, connections and API destinations.

The operations live with their resources, one module each, all mixed into `Events`:

- api_buses.py        CreateEventBus ... DeleteEventBus, PutPermission, RemovePermission, tags
- api_rules.py        PutRule ... DeleteRule, PutTargets, RemoveTargets, ListTargetsByRule,
                      ListRuleNamesByTarget, TestEventPattern
- api_events.py       PutEvents
- api_archives.py     CreateArchive ... DeleteArchive, StartReplay ... CancelReplay
- api_connections.py  CreateConnection ... DeauthorizeConnection, CreateApiDestination ...

How an event travels: routing.py (match, archive, commit deliveries) -> delivery.py (the
queue-engine consumer, retries, DLQ) -> invokers.py / api_destinations.py (the target call).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from postoffice.core.system import System
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError, Violation, validation_exception
from postoffice.services.base import Service
from postoffice.services.events.api_archives import ArchiveOperations
from postoffice.services.events.api_buses import BusOperations
from postoffice.services.events.api_connections import ConnectionOperations
from postoffice.services.events.api_destinations import ApiDestinationInvoker
from postoffice.services.events.api_events import EventOperations
from postoffice.services.events.api_rules import RuleOperations
from postoffice.services.events.archive_log import ArchiveLog
from postoffice.services.events.arns import BusRef
from postoffice.services.events.delivery import Deliveries
from postoffice.services.events.envelope import request_entries_repr, scheduled_event
from postoffice.services.events.invokers import Invokers
from postoffice.services.events.models import Rule
from postoffice.services.events.replays import Replays
from postoffice.services.events.routing import Router
from postoffice.services.events.scheduler import Scheduler

log = logging.getLogger("postoffice.events")

RETENTION_SWEEP_SECONDS = 3600.0


class Events(BusOperations, RuleOperations, EventOperations, ArchiveOperations, ConnectionOperations, Service):
    name = "events"
    protocols = ("json",)

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._init_state()
        self.archive_log = ArchiveLog(system.store)
        self.archive_retention_changed = asyncio.Event()
        self.router = Router(self)
        self.invokers = Invokers(self)
        self.api_destinations = ApiDestinationInvoker(self)
        self.deliveries = Deliveries(
            system.clock, lambda: system.queues, self.invokers.invoke, self.invokers.dead_letter
        )
        self.scheduler = Scheduler(system.clock, self._fire_schedule)
        self.replay_runner = Replays(self)
        self._sweeper: asyncio.Task[None] | None = None

    def validation_error(self, ctx: RequestContext, violations: list[Violation]) -> ServiceError:
        if ctx.operation == "PutEvents":
            violations = [_put_events_violation(violation) for violation in violations]
        return validation_exception(violations, self.validation_error_code)

    async def start(self) -> None:
        await self.deliveries.start()
        self._start_schedules()
        self.replay_runner.resume_all()
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_archives())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        await self.scheduler.stop()
        await self.replay_runner.stop()
        await self.deliveries.stop()

    async def reset(self) -> None:
        await self.scheduler.stop()
        await self.replay_runner.stop()
        await self._clear_state()
        await self.archive_log.clear()
        self._start_schedules()

    def status(self) -> dict[str, Any]:
        return {**super().status(), "rules": sum(1 for _ in self.rules.all())}

    def rule_changed(self, ref: BusRef, key: str, rule: Rule | None) -> None:
        self.scheduler.update(ref, key, rule)

    def _start_schedules(self) -> None:
        self.scheduler.running = True
        for account, region, key, rule in self.rules.all():
            self.scheduler.update(BusRef(account, region, rule.bus), key, rule)

    async def _fire_schedule(self, ref: BusRef, key: str, due: float) -> None:
        rule = self.rules.get(ref.account, ref.region, key)
        if rule is None or not rule.enabled or not rule.targets:
            return
        await self.router.to_rule(ref, rule, scheduled_event(rule.arn, ref.account, ref.region, due))

    async def _sweep_archives(self) -> None:
        """Drop archived events older than their archive's RetentionDays, once an hour.

        With no retention to enforce it sets no timer, so a virtual clock can leap ahead freely."""
        clock = self.system.clock
        while True:
            retained = [entry for entry in self.archives.all() if entry[3].retention_days]
            if not retained:
                self.archive_retention_changed.clear()
                await self.archive_retention_changed.wait()
                continue
            for account, region, name, archive in retained:
                before = clock.now() - archive.retention_days * 86_400
                await self.archive_log.expire(account, region, name, before)
            await clock.sleep(RETENTION_SWEEP_SECONDS)


def _put_events_violation(violation: Violation) -> Violation:
    """AWS prints the offending entries of an oversized PutEvents as Java objects."""
    if violation.path == "entries" and violation.kind == "length" and isinstance(violation.value, list):
        return Violation(violation.path, request_entries_repr(violation.value), violation.constraint, violation.kind)
    return violation
