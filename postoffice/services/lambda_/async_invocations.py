"""Asynchronous invocations (InvocationType Event) on the queue engine.

Each function has an engine queue, `postoffice:lambda:async:<account>:<region>:<name>`, and a
consumer with as many workers as the function may run at once (its reserved concurrency, or
DEFAULT_WORKERS): an event waits in the queue for its turn. A failed run is tried again as
AWS does, 1 minute and then 2 minutes later (a new message, delayed), up to the event
invoke config's MaximumRetryAttempts (default 2) and MaximumEventAgeInSeconds (default 6
hours). Then the record goes to the OnSuccess / OnFailure destination and the event to the
dead-letter queue (destinations.py).
"""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.core.queues.engine import Consumer, Message, NewMessage, QueueConfig, QueueEngine
from postoffice.protocol.errors import ServiceError
from postoffice.runtime import Invocation, Outcome
from postoffice.services.lambda_.destinations import Destinations, invocation_record
from postoffice.services.lambda_.records import LATEST, Function
from postoffice.services.lambda_.state import partition_of

if TYPE_CHECKING:
    from postoffice.services.lambda_.api import Lambda

log = logging.getLogger("postoffice.lambda.async")

DEFAULT_WORKERS = 10
DEFAULT_RETRY_ATTEMPTS = 2
DEFAULT_EVENT_AGE = 21_600
RETRY_DELAYS = (60.0, 120.0)  # before the second and the third attempt
VISIBILITY = 1860.0  # longer than any run (1,800 s), so a crash mid-run retries it later
QUEUE_PREFIX = "postoffice:lambda:async:"


@dataclass
class AsyncEvent:
    request_id: str
    qualifier: str | None
    payload: str  # base64
    enqueued: float
    invoked_arn: str
    attempt: int = 1

    def encode(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def decode(cls, body: str) -> AsyncEvent:
        return cls(**orjson.loads(body))


def queue_name(function: Function) -> str:
    account, region = partition_of(function.arn)
    return f"{QUEUE_PREFIX}{account}:{region}:{function.name}"


class AsyncInvocations:
    def __init__(self, service: Lambda) -> None:
        self.service = service
        self.destinations = Destinations(service.system)
        self._consumers: dict[str, tuple[int, Consumer]] = {}
        self._started = False
        self.retries_scheduled = 0
        self.finished = 0

    @property
    def engine(self) -> QueueEngine:
        engine = self.service.system.queues
        if engine is None:
            raise ServiceError("ServiceException", "Asynchronous invocation needs the queue engine.", 500, False)
        return engine

    async def start(self) -> None:
        if self.service.system.queues is None:
            log.error("the queue engine is not running: asynchronous invocations cannot run")
            return
        self._started = True
        for _, _, _, function in self.service.functions.all():
            await self.function_changed(function)

    async def stop(self) -> None:
        self._started = False
        for _, consumer in list(self._consumers.values()):
            await consumer.stop()
        self._consumers.clear()

    async def enqueue(
        self, function: Function, qualifier: str | None, payload: bytes, request_id: str, arn: str
    ) -> None:
        event = AsyncEvent(request_id, qualifier, base64.b64encode(payload).decode(), self.service.now(), arn)
        name = queue_name(function)
        if self.engine.config(name) is None:
            await self.function_changed(function, create=True)
        await self.engine.send(name, [NewMessage(body=event.encode())])

    async def function_changed(self, function: Function, create: bool = False) -> None:
        """(Re)size the consumer of the function's queue to its concurrency. The queue is made on
        the first asynchronous invoke (`create`): a function never invoked so costs nothing."""
        if not self._started:
            return
        name = queue_name(function)
        if self.engine.config(name) is None:
            if not create:
                return
            config = QueueConfig(visibility_timeout=VISIBILITY, retention=DEFAULT_EVENT_AGE + 3600)
            await self.engine.create_queue(name, config)
        workers = DEFAULT_WORKERS if function.reserved_concurrency is None else function.reserved_concurrency
        current = self._consumers.get(name)
        if current is not None and current[0] == workers:
            return
        if current is not None:
            del self._consumers[name]
            await current[1].stop()
        if workers > 0:
            account, region = partition_of(function.arn)
            handler = self._handler(account, region, function.name)
            self._consumers[name] = (workers, self.engine.consume(name, handler, concurrency=workers))

    async def function_deleted(self, function: Function) -> None:
        name = queue_name(function)
        current = self._consumers.pop(name, None)
        if current is not None:
            await current[1].stop()
        if self._started and self.engine.config(name) is not None:
            await self.engine.delete_queue(name)

    def _handler(self, account: str, region: str, name: str) -> Callable[[Message], Awaitable[float | None]]:
        async def handle(message: Message) -> float | None:
            return await self._run(account, region, name, message)

        return handle

    async def _run(self, account: str, region: str, name: str, message: Message) -> float | None:
        event = AsyncEvent.decode(message.body)
        function = self.service.functions.get(account, region, name)
        if function is None:
            return None
        payload = base64.b64decode(event.payload)
        settings = function.invoke_configs.get(event.qualifier or LATEST) or {}
        max_retries = settings.get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS)
        max_age = settings.get("MaximumEventAgeInSeconds", DEFAULT_EVENT_AGE)
        attempts = event.attempt
        if self.service.now() - event.enqueued > max_age:
            await self._failed(function, event, settings, payload, None, LATEST, attempts - 1, "EventAgeExceeded")
            return None
        try:
            version, config = self.service.version_of(function, event.qualifier)
        except ServiceError:
            return None
        invocation = Invocation(event.request_id, payload or b"{}", event.invoked_arn)
        outcome = await self.service.executor.invoke(function, version, config, invocation, wait=True)
        if not outcome.failed:
            destination = (settings.get("DestinationConfig") or {}).get("OnSuccess", {}).get("Destination")
            if destination:
                record = self._record("Success", function, event, attempts, payload, outcome, version)
                await self.destinations.send_record(destination, record, success=True)
            self.finished += 1
            return None
        if attempts > max_retries:
            await self._failed(function, event, settings, payload, outcome, version, attempts, "RetriesExhausted")
            return None
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        if self.service.now() + delay - event.enqueued > max_age:
            await self._failed(function, event, settings, payload, outcome, version, attempts, "EventAgeExceeded")
            return None
        retry = dataclasses.replace(event, attempt=attempts + 1)
        await self.engine.send(message.queue, [NewMessage(body=retry.encode(), delay=delay)])
        self.retries_scheduled += 1
        return None

    async def _failed(
        self,
        function: Function,
        event: AsyncEvent,
        settings: dict[str, Any],
        payload: bytes,
        outcome: Outcome | None,
        version: str,
        attempts: int,
        condition: str,
    ) -> None:
        destination = (settings.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        if destination:
            record = self._record(condition, function, event, attempts, payload, outcome, version)
            await self.destinations.send_record(destination, record, success=False)
        try:
            _, config = self.service.version_of(function, event.qualifier)
        except ServiceError:
            config = function.latest
        if config.dead_letter_target:
            await self.destinations.send_dead_letter(config.dead_letter_target, payload, event.request_id, outcome)
        if not destination and not config.dead_letter_target:
            log.info("event %s for %s discarded (%s)", event.request_id, function.name, condition)
        self.finished += 1

    def _record(
        self,
        condition: str,
        function: Function,
        event: AsyncEvent,
        attempts: int,
        payload: bytes,
        outcome: Outcome | None,
        version: str,
    ) -> dict[str, object]:
        qualified = f"{function.arn}:{event.qualifier or LATEST}"
        return invocation_record(
            condition, event.request_id, qualified, attempts, payload, outcome, version, self.service.now()
        )
