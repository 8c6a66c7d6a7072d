"""Running a replay: archived events from the time window, oldest first, back into the bus
(to all its rules or the FilterArns rules) with `replay-name` added.

A replay runs as a background task, at most BATCH events a second on the service clock, and
keeps its progress in its record, so one interrupted by a restart resumes where it stopped.
CancelReplay marks it CANCELLING; the task notices between batches and ends it CANCELLED.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING

import orjson

from postoffice.core.store.event_log import Position
from postoffice.services.events.arns import name_from_arn, parse_rule_arn, resolve_bus
from postoffice.services.events.envelope import with_replay_name
from postoffice.services.events.models import Replay, rule_key

if TYPE_CHECKING:
    from postoffice.services.events.api import Events

log = logging.getLogger("postoffice.events.replays")

BATCH = 100
PAUSE_SECONDS = 1.0  # between full batches: a replay re-sends at most BATCH events a second
ACTIVE_STATES = frozenset({"STARTING", "RUNNING", "CANCELLING"})


class Replays:
    def __init__(self, service: Events) -> None:
        self.service = service
        self._tasks: dict[tuple[str, str, str], asyncio.Task[None]] = {}

    def start(self, account: str, region: str, name: str) -> None:
        key = (account, region, name)
        if key in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(self._run(account, region, name))
        self._tasks[key] = task
        task.add_done_callback(lambda _: self._tasks.pop(key, None))

    def resume_all(self) -> None:
        for account, region, name, replay in self.service.replays.all():
            if replay.state in ACTIVE_STATES:
                self.start(account, region, name)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    async def _run(self, account: str, region: str, name: str) -> None:
        try:
            await self._replay(account, region, name)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("replay %s failed", name)
            replay = self.service.replays.get(account, region, name)
            if replay is not None:
                await self._save(account, region, dataclasses.replace(replay, state="FAILED", state_reason=str(error)))

    async def _replay(self, account: str, region: str, name: str) -> None:
        service = self.service
        replay = service.replays.get(account, region, name)
        if replay is None:
            return
        if replay.state == "STARTING":
            replay = await self._save(account, region, dataclasses.replace(replay, state="RUNNING"))
        archive_name = name_from_arn(replay.event_source_arn, "archive") or ""
        ref = resolve_bus(replay.destination["Arn"], account, region)
        only = self._filter(replay)
        start_ms, end_ms = int(replay.event_start * 1000), int(replay.event_end * 1000) + 1000
        while True:
            current = service.replays.get(account, region, name)
            if current is None:
                return
            if current.state == "CANCELLING":
                await self._finish(account, region, current, "CANCELLED")
                return
            cursor = Position(*current.cursor) if current.cursor else None
            records = service.archive_log.read(account, region, archive_name, start_ms, end_ms, cursor, BATCH)
            if not records:
                await self._finish(account, region, current, "COMPLETED")
                return
            events = [with_replay_name(orjson.loads(record.payload), name) for record in records]
            await service.router.route(ref, events, only=only)
            last = records[-1]
            current = service.replays.get(account, region, name) or current
            await self._save(
                account,
                region,
                dataclasses.replace(current, cursor=[last.timestamp, last.seq], last_replayed=last.timestamp / 1000),
            )
            if len(records) == BATCH:
                await service.system.clock.sleep(PAUSE_SECONDS)

    def _filter(self, replay: Replay) -> set[str] | None:
        arns = replay.destination.get("FilterArns")
        if not arns:
            return None
        keys = set()
        for arn in arns:
            parsed = parse_rule_arn(arn)
            if parsed is not None:
                _, _, bus, rule = parsed
                keys.add(rule_key(bus, rule))
        return keys

    async def _finish(self, account: str, region: str, replay: Replay, state: str) -> None:
        await self._save(
            account, region, dataclasses.replace(replay, state=state, replay_end=self.service.system.clock.now())
        )

    async def _save(self, account: str, region: str, replay: Replay) -> Replay:
        await self.service.replays.put(account, region, replay.name, replay)
        return replay
