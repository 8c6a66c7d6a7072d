"""The queue engine: one durable mechanism under everything asynchronous (DESIGN.md principle 3).

SQS queues are engine queues. So are the internal hops AWS retries: SNS -> subscriber,
EventBridge -> target, Lambda asynchronous invocations, Step Functions timers, Scheduler.
Each of those owns an engine queue (e.g. `postoffice:sns:deliveries`) and a consumer loop
(`consume`) that receives, does the work, deletes on success, and on failure makes the
message visible again after a back-off with `change_visibility`.

Queues are named by an engine id; SQS uses the queue ARN. The engine knows only what it
needs to behave (FIFO, visibility, delay, retention, redrive, deduplication); what a message
means to its service (SQS message attributes, MD5s, an SNS envelope...) travels in the
opaque `attributes` dict.

Every mutating call returns once its change is durable (the store's group commit). Receive
never scans the backlog: claiming the next visible message costs the same with ten messages
queued or ten million.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class QueueConfig:
    """How one engine queue behaves. Durations are seconds."""

    fifo: bool = False
    visibility_timeout: float = 30.0
    delay: float = 0.0
    retention: float = 345_600.0
    content_based_deduplication: bool = False
    deduplication_scope: Literal["queue", "messageGroup"] = "queue"
    # Redrive: on the receive that would exceed max_receive_count the message moves to
    # dead_letter_queue (an engine id) instead of being returned.
    max_receive_count: int | None = None
    dead_letter_queue: str | None = None


@dataclass(slots=True)
class NewMessage:
    body: str
    attributes: dict[str, Any] = field(default_factory=dict)
    delay: float | None = None  # None: the queue's delay
    group_id: str | None = None
    deduplication_id: str | None = None  # FIFO; content-based when None and the queue allows it


@dataclass(slots=True)
class Sent:
    message_id: str
    sequence_number: str | None = None  # FIFO only
    duplicate: bool = False  # FIFO: deduplicated within the 5-minute window


@dataclass
class Message:
    queue: str
    message_id: str
    body: str
    attributes: dict[str, Any]
    sent_at: float
    receive_count: int
    first_received_at: float | None
    receipt_handle: str
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    dead_letter_source: str | None = None  # engine id of the queue it was dead-lettered from


@dataclass
class Counts:
    visible: int
    in_flight: int
    delayed: int


class QueueEngineError(Exception):
    """Base of the engine's own errors; services map them to their AWS error codes."""


class QueueNotFound(QueueEngineError):
    pass


class MessageSourceUnknown(QueueEngineError):
    """A message to move back to the queue it was dead-lettered from was never dead-lettered."""


class ReceiptHandleInvalid(QueueEngineError):
    """The handle is malformed or names no message this queue ever had."""


class MessageNotInflight(QueueEngineError):
    """ChangeMessageVisibility on a message that is not in flight."""


class VisibilityTimeoutTooLong(QueueEngineError):
    """The new timeout would keep the message invisible past 12 hours since it was received."""


class ReceiptHandleRejected(QueueEngineError):
    """A well-formed handle that can no longer act on its message.

    SQS answers these with InvalidParameterValue: "Value <handle> for parameter ReceiptHandle
    is invalid. Reason: <reason>". Raised by `delete` on a FIFO queue when the handle's
    visibility timeout has expired (RECEIPT_EXPIRED), and by `change_visibility` when the
    message was deleted or received again since (MESSAGE_NOT_AVAILABLE).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


RECEIPT_EXPIRED = "The receipt handle has expired."
MESSAGE_NOT_AVAILABLE = "Message does not exist or is not available for visibility timeout change."


class ReceiveAttemptNotRetryable(QueueEngineError):
    """A FIFO receive retried with the same attempt id after one of its messages was deleted,
    had its visibility changed, or became visible again: the first answer cannot be repeated."""


@dataclass
class EntryResult:
    """Outcome of one entry of a batch call: `error` is None on success."""

    error: QueueEngineError | None = None


MAX_VISIBILITY_SECONDS = 43_200  # 12 hours from the receive
DEDUPLICATION_WINDOW_SECONDS = 300


class QueueEngine(ABC):
    @abstractmethod
    async def create_queue(self, queue: str, config: QueueConfig) -> None:
        """Create or reconfigure `queue` (idempotent)."""

    @abstractmethod
    def config(self, queue: str) -> QueueConfig | None: ...

    @abstractmethod
    async def delete_queue(self, queue: str) -> None:
        """Drop the queue and all its messages (idempotent). Waiting receivers return empty."""

    @abstractmethod
    async def send(self, queue: str, messages: list[NewMessage]) -> list[Sent]:
        """Enqueue in order; durable on return. Long-polling receivers wake at once."""

    @abstractmethod
    async def receive(
        self,
        queue: str,
        max_messages: int = 1,
        visibility_timeout: float | None = None,
        wait_seconds: float = 0.0,
        attempt_id: str | None = None,
    ) -> list[Message]:
        """Claim up to `max_messages` visible messages for `visibility_timeout` seconds.

        With `wait_seconds` > 0, waits on the clock until at least one message is
        available or the time is up: no polling loop. `math.inf` waits until a message comes
        (internal consumers), setting no clock timer at all. FIFO queues return messages in order
        and never from a group that has a message in flight; `attempt_id` makes a retried
        FIFO receive return the same messages and handles (5-minute window, visibility
        reset) or raises ReceiveAttemptNotRetryable if one of them changed meanwhile. On a
        standard queue whose messages carry group ids (a fair queue), groups take turns and
        noisy groups (many messages in flight) yield to quiet ones. A message whose receive
        would exceed its queue's max_receive_count moves to the dead-letter queue instead
        (when that queue exists) and another takes its place. Raises QueueNotFound.
        """

    @abstractmethod
    async def delete(self, queue: str, receipt_handles: list[str]) -> list[EntryResult]:
        """Delete by receipt handle, per entry: a malformed handle, or one of another queue,
        is ReceiptHandleInvalid; the handle of a message already gone succeeds silently; on a
        standard queue, an older handle of a message received again since succeeds without
        deleting it; on a FIFO queue, a handle whose visibility timeout ended is
        ReceiptHandleRejected(RECEIPT_EXPIRED)."""

    @abstractmethod
    async def change_visibility(self, queue: str, changes: list[tuple[str, float]]) -> list[EntryResult]:
        """Set each (receipt handle, seconds from now) message's visibility; 0 releases it.

        Per entry: ReceiptHandleInvalid (malformed or foreign handle), ReceiptHandleRejected
        (message deleted, or received again since), MessageNotInflight (its timeout already
        ended), VisibilityTimeoutTooLong (past 12 hours from the receive)."""

    @abstractmethod
    async def purge(self, queue: str) -> None:
        """Remove every message at once; handles given before stop matching."""

    @abstractmethod
    def counts(self, queue: str) -> Counts:
        """Exact at the time of asking (delays and timeouts that ended count as visible);
        costs a few index lookups whatever the queue's depth."""

    @abstractmethod
    async def move_messages(self, source: str, destination: str | None, max_messages: int) -> int:
        """Move up to `max_messages` visible messages from `source` to `destination` in one
        durable transaction (the building block of SQS message move tasks); returns how many
        moved. With `destination` None each message goes back to the queue it was
        dead-lettered from (its `dead_letter_source`), in order, up to the first one that
        cannot: never dead-lettered (MessageSourceUnknown) or that queue gone (QueueNotFound),
        raised when it is the first message to move.

        As SQS redrive does, a moved message is a new message in its destination: new id,
        sent (and retained from) now, receive count 0, no `dead_letter_source`; body,
        attributes, group and deduplication id stay. FIFO sources give their messages group
        by group in order, never from a group with a message in flight. Raises QueueNotFound
        if `source` or `destination` does not exist.
        """

    @abstractmethod
    def consume(
        self,
        queue: str,
        handler: Callable[[Message], Awaitable[float | None]],
        concurrency: int = 1,
        batch_size: int = 1,
    ) -> Consumer:
        """Run `handler` for each message of `queue` in background tasks until stopped.

        The handler returns None when the work is done (the message is deleted) or the
        seconds after which to try again (the message becomes visible then). An exception
        counts as "try again after the queue's visibility timeout".
        """

    @abstractmethod
    async def start(self) -> None:
        """Start background work (timers, retention, clean-up); called once the loop runs."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop consumers and background work; waiting receivers return empty."""


class Consumer(ABC):
    @abstractmethod
    async def stop(self) -> None: ...
