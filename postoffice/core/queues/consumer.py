"""Background consumers: the loop every internal retried hop runs on an engine queue.

A worker long-polls the queue, hands each message to the handler, then deletes the ones
done and reschedules the ones to retry, in one batch call each. A handler that raises leaves
its message in flight: it comes back when the visibility timeout of its receive ends.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from postoffice.core.clock import Clock
from postoffice.core.queues.engine import MAX_VISIBILITY_SECONDS, Consumer, EntryResult, Message, QueueNotFound

if TYPE_CHECKING:
    from postoffice.core.queues.engine import QueueEngine

log = logging.getLogger("postoffice.queues.consumer")

STOP_GRACE_SECONDS = 10.0


class QueueConsumer(Consumer):
    def __init__(
        self,
        engine: QueueEngine,
        queue: str,
        handler: Callable[[Message], Awaitable[float | None]],
        concurrency: int,
        batch_size: int,
        clock: Clock,
        wait_for_queue: Callable[[str], Awaitable[None]],
        on_stopped: Callable[[QueueConsumer], None],
    ) -> None:
        self.queue = queue
        self._engine = engine
        self._handler = handler
        self._batch_size = max(1, batch_size)
        self._clock = clock
        self._wait_for_queue = wait_for_queue
        self._on_stopped = on_stopped
        self._stopping = False
        self._idle: set[asyncio.Task[None]] = set()
        self._workers = [
            asyncio.create_task(self._work(), name=f"postoffice-consumer:{queue}:{index}")
            for index in range(max(1, concurrency))
        ]

    async def stop(self) -> None:
        """Stop polling at once; let handlers that are running finish (up to a grace period)."""
        self._stopping = True
        for task in list(self._idle):
            task.cancel()
        _, running = await asyncio.wait(self._workers, timeout=STOP_GRACE_SECONDS)
        for task in running:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._on_stopped(self)

    async def _work(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        while not self._stopping:
            self._idle.add(task)
            try:
                messages = await self._engine.receive(self.queue, self._batch_size, wait_seconds=math.inf)
            except QueueNotFound:
                await self._wait_for_queue(self.queue)
                continue
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            except Exception:
                log.exception("receiving from %s failed", self.queue)
                await asyncio.sleep(1.0)
                continue
            finally:
                self._idle.discard(task)
            if messages:
                await self._handle(messages)

    async def _handle(self, messages: list[Message]) -> None:
        received_at = self._clock.now()
        done: list[str] = []
        retry: list[tuple[str, float]] = []
        for message in messages:
            try:
                outcome = await self._handler(message)
            except Exception:
                log.exception("handler for %s failed on message %s", self.queue, message.message_id)
                continue
            if outcome is None:
                done.append(message.receipt_handle)
            else:
                allowed = MAX_VISIBILITY_SECONDS - (self._clock.now() - received_at)
                retry.append((message.receipt_handle, max(0.0, min(float(outcome), allowed))))
        try:
            if done:
                self._log_failures("delete", await self._engine.delete(self.queue, done))
            if retry:
                self._log_failures("reschedule", await self._engine.change_visibility(self.queue, retry))
        except QueueNotFound:
            log.warning("queue %s was deleted while its messages were being handled", self.queue)
        except Exception:  # the messages come back after their visibility timeout
            log.exception("could not settle handled messages of %s", self.queue)

    def _log_failures(self, action: str, results: list[EntryResult]) -> None:
        for result in results:
            if result.error is not None:
                log.warning("could not %s a message of %s: %r", action, self.queue, result.error)
