"""Delivery of matched events to targets, on the queue engine (DESIGN principle 3).

Routing commits one engine message per (event, target). A consumer takes each one, invokes the
target, and on failure applies the target's RetryPolicy: retriable errors are tried again after
an exponential back-off with jitter until MaximumRetryAttempts or MaximumEventAgeInSeconds runs
out; errors no retry can fix (the target does not exist, no permission) give up at once. An
event that gives up goes to the target's DeadLetterConfig queue with the message attributes
AWS sets (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION,
RETRY_ATTEMPTS), or is dropped, as AWS drops it, when the target has none.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from postoffice.core.clock import Clock
from postoffice.core.queues.engine import Consumer, Message, NewMessage, QueueConfig, QueueEngine
from postoffice.protocol.errors import ServiceError

log = logging.getLogger("postoffice.events.delivery")

QUEUE = "postoffice:events:deliveries"
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_EVENT_AGE = 86_400
MAX_BACKOFF = 300.0
# Long enough that a delivery in progress (an API destination call times out after 5 s) is
# never handed to a second consumer, even while a virtual clock leaps ahead.
VISIBILITY_TIMEOUT = 900.0


@dataclass
class Delivery:
    """One event on its way to one target of one rule."""

    account: str
    region: str
    rule_arn: str
    rule_name: str
    target: dict[str, Any]
    event: dict[str, Any]
    ingested: float
    attempt: int = 0
    hops: list[str] = field(default_factory=list)  # "account/region" of the buses passed through

    def encode(self) -> str:
        return orjson.dumps(self.__dict__).decode()

    @classmethod
    def decode(cls, body: str) -> Delivery:
        return cls(**orjson.loads(body))


@dataclass(frozen=True)
class Failure:
    code: str  # the DLQ's ERROR_CODE vocabulary: NO_RESOURCE, NO_PERMISSIONS, THROTTLING, ...
    message: str
    retriable: bool
    retry_after: float | None = None


@dataclass(frozen=True)
class Throttled:
    """Not a failure: the target's rate limit says try again after `wait` seconds."""

    wait: float


Outcome = Failure | Throttled | None
Invoke = Callable[[Delivery], Awaitable[Outcome]]
DeadLetter = Callable[[Delivery, Failure, str | None], Awaitable[None]]


def backoff(retry: int) -> float:
    """Seconds before retry number `retry` (1-based): exponential, capped, with jitter."""
    ceiling = min(2.0 ** (retry - 1), MAX_BACKOFF)
    return ceiling * random.uniform(0.5, 1.0)


class Deliveries:
    def __init__(self, clock: Clock, engine: Callable[[], QueueEngine | None], invoke: Invoke, dead_letter: DeadLetter):
        self.clock = clock
        self._engine = engine
        self.invoke = invoke
        self.dead_letter = dead_letter
        self._consumer: Consumer | None = None

    @property
    def engine(self) -> QueueEngine:
        engine = self._engine()
        if engine is None:
            raise ServiceError(
                "InternalException", "EventBridge cannot deliver events: the queue engine is not running.", 500, False
            )
        return engine

    async def start(self, concurrency: int = 16) -> None:
        if self._engine() is None:
            log.error("the queue engine is not running: EventBridge cannot deliver events to targets")
            return
        await self.engine.create_queue(
            QUEUE, QueueConfig(visibility_timeout=VISIBILITY_TIMEOUT, retention=2 * DEFAULT_EVENT_AGE)
        )
        self._consumer = self.engine.consume(QUEUE, self._handle, concurrency=concurrency, batch_size=10)

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def enqueue(self, deliveries: list[Delivery], delay: float | None = None) -> None:
        if deliveries:
            await self.engine.send(QUEUE, [NewMessage(body=item.encode(), delay=delay) for item in deliveries])

    async def _handle(self, message: Message) -> float | None:
        delivery = Delivery.decode(message.body)
        try:
            outcome = await self.invoke(delivery)
        except Exception as error:  # a bug or an unexpected fault: retried like any transient error
            log.exception("delivery to %s failed", delivery.target.get("Arn"))
            outcome = Failure("INTERNAL_ERROR", str(error) or type(error).__name__, retriable=True)
        if outcome is None:
            return None
        if isinstance(outcome, Throttled):
            return max(outcome.wait, 0.001)
        await self._failed(delivery, outcome)
        return None

    async def _failed(self, delivery: Delivery, failure: Failure) -> None:
        policy = delivery.target.get("RetryPolicy") or {}
        max_attempts = policy.get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS)
        max_age = policy.get("MaximumEventAgeInSeconds", DEFAULT_EVENT_AGE)
        if not failure.retriable:
            await self.dead_letter(delivery, failure, None)
            return
        if delivery.attempt >= max_attempts:
            await self.dead_letter(delivery, failure, "MaximumRetryAttempts")
            return
        delay = failure.retry_after if failure.retry_after is not None else backoff(delivery.attempt + 1)
        if self.clock.now() + delay - delivery.ingested > max_age:
            await self.dead_letter(delivery, failure, "MaximumEventAgeInSeconds")
            return
        await self.enqueue([replace(delivery, attempt=delivery.attempt + 1)], delay=delay)
