"""Message move tasks: redrive a dead-letter queue's messages, in the background, on the clock.

Each step moves a batch with the engine's `move_messages`, one durable transaction: to the
destination or, without one, each message back to the queue it was dead-lettered from. A
crash never leaves a message in both queues. With MaxNumberOfMessagesPerSecond the task
paces itself on the clock. Task records are durable and progress is saved after every step,
so running tasks resume after a restart.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from postoffice.core.clock import Clock
from postoffice.core.queues.engine import MessageSourceUnknown, QueueEngine, QueueNotFound
from postoffice.core.store.base import Store
from postoffice.core.store.records import RecordTable
from postoffice.services.sqs.queues import Queue

log = logging.getLogger("postoffice.sqs.move_tasks")

RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED = "RUNNING", "COMPLETED", "CANCELLING", "CANCELLED", "FAILED"
ACTIVE = (RUNNING, CANCELLING)
NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"
UNKNOWN_SOURCE = "CouldNotDetermineMessageSource"
UNPACED_BATCH = 100
STEPS_PER_SECOND = 10  # a paced task moves at most a tenth of its rate at once


@dataclass
class MoveTaskRecord:
    task_id: str
    source_arn: str
    destination_arn: str | None
    max_per_second: int | None
    status: str
    started_ms: int
    moved: int = 0
    to_move: int = 0
    failure_reason: str | None = None


def encode_handle(task_id: str, source_arn: str) -> str:
    return base64.b64encode(orjson.dumps({"taskId": task_id, "sourceArn": source_arn})).decode()


def decode_handle(handle: str) -> tuple[str, str] | None:
    try:
        document = orjson.loads(base64.b64decode(handle, validate=True))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    task_id, source_arn = document.get("taskId"), document.get("sourceArn")
    if not isinstance(task_id, str) or not isinstance(source_arn, str):
        return None
    return task_id, source_arn


class MoveTasks:
    def __init__(self, store: Store, clock: Clock, engine: Callable[[], QueueEngine]) -> None:
        self.records: RecordTable[MoveTaskRecord] = RecordTable(store, "sqs.move_task", MoveTaskRecord)
        self.clock = clock
        self.engine = engine
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._wakers: dict[str, asyncio.Event] = {}

    def for_source(self, account: str, region: str, source_arn: str) -> list[MoveTaskRecord]:
        """The tasks of one source queue, newest first."""
        tasks = [task for task in self.records.list(account, region) if task.source_arn == source_arn]
        return sorted(tasks, key=lambda task: task.started_ms, reverse=True)

    def active(self, account: str, region: str, source_arn: str) -> MoveTaskRecord | None:
        for task in self.for_source(account, region, source_arn):
            if task.status in ACTIVE:
                return task
        return None

    async def start(self, source: Queue, destination: Queue | None, max_per_second: int | None) -> MoveTaskRecord:
        account, region = source.ref.account, source.ref.region
        task = MoveTaskRecord(
            task_id=str(uuid.uuid4()),
            source_arn=source.arn,
            destination_arn=destination.arn if destination else None,
            max_per_second=max_per_second,
            status=RUNNING,
            started_ms=self.clock.now_ms(),
            to_move=self.engine().counts(source.arn).visible,
        )
        await self.records.put(account, region, task.task_id, task)
        self._launch(account, region, task.task_id)
        return task

    async def cancel(self, account: str, region: str, task: MoveTaskRecord) -> MoveTaskRecord:
        task.status = CANCELLING
        await self.records.put(account, region, task.task_id, task)
        waker = self._wakers.get(task.task_id)
        if waker is not None:
            waker.set()
        return task

    def resume_all(self) -> None:
        for account, region, task_id, task in self.records.all():
            if task.status in ACTIVE:
                self._launch(account, region, task_id)

    async def stop(self) -> None:
        workers, self._workers = self._workers, {}
        for worker in workers.values():
            worker.cancel()
        for worker in workers.values():
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    async def clear(self) -> None:
        await self.stop()
        await self.records.clear()

    def _launch(self, account: str, region: str, task_id: str) -> None:
        worker = asyncio.get_running_loop().create_task(self._run(account, region, task_id))
        self._workers[task_id] = worker
        self._wakers[task_id] = asyncio.Event()

        def forget(_: asyncio.Task[None]) -> None:
            self._workers.pop(task_id, None)
            self._wakers.pop(task_id, None)

        worker.add_done_callback(forget)

    async def _run(self, account: str, region: str, task_id: str) -> None:
        try:
            await self._move(account, region, task_id)
        except asyncio.CancelledError:
            raise
        except QueueNotFound:
            await self._finish(account, region, task_id, FAILED, NON_EXISTENT_QUEUE)
        except MessageSourceUnknown:
            await self._finish(account, region, task_id, FAILED, UNKNOWN_SOURCE)
        except Exception:
            log.exception("message move task %s failed", task_id)
            await self._finish(account, region, task_id, FAILED, "InternalError")

    async def _move(self, account: str, region: str, task_id: str) -> None:
        engine = self.engine()
        first = self.records.get(account, region, task_id)
        rate = first.max_per_second if first is not None else None
        batch = max(1, rate // STEPS_PER_SECOND) if rate else UNPACED_BATCH
        next_at = self.clock.now()
        while True:
            task = self.records.get(account, region, task_id)
            if task is None:
                return
            if task.status == CANCELLING:
                await self._finish(account, region, task_id, CANCELLED)
                return
            if rate:
                await self._pause_until(task_id, next_at)
                if self._status(account, region, task_id) != RUNNING:
                    continue
            moved = await engine.move_messages(task.source_arn, task.destination_arn, batch)
            if moved == 0:
                await self._finish(account, region, task_id, COMPLETED)
                return
            current = self.records.get(account, region, task_id)
            if current is not None:
                current.moved += moved
                await self.records.put(account, region, task_id, current)
            if rate:
                next_at = max(next_at, self.clock.now()) + moved / rate

    async def _pause_until(self, task_id: str, deadline: float) -> None:
        """Wait on the clock for the next paced move; a cancel cuts the wait short."""
        waker = self._wakers.get(task_id)
        if waker is None:
            await self.clock.sleep_until(deadline)
            return
        sleeper = asyncio.ensure_future(self.clock.sleep_until(deadline))
        woken = asyncio.ensure_future(waker.wait())
        try:
            await asyncio.wait([sleeper, woken], return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            woken.cancel()

    def _status(self, account: str, region: str, task_id: str) -> str | None:
        task = self.records.get(account, region, task_id)
        return task.status if task else None

    async def _finish(self, account: str, region: str, task_id: str, status: str, reason: str | None = None) -> None:
        task = self.records.get(account, region, task_id)
        if task is None:
            return
        task.status = status
        task.failure_reason = reason
        await self.records.put(account, region, task_id, task)
