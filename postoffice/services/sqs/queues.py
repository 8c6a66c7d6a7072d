"""The SQS queues of every account and region: durable records plus a parsed view per queue.

Records (`sqs.queue`) hold what GetQueueAttributes shows; `Queue` is the same queue with its
attributes parsed once, so the send/receive path never re-reads attribute strings. Deleted
names are remembered (`sqs.deleted`) for QueueDeletedRecently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from postoffice.core.queues.engine import QueueConfig
from postoffice.core.store.base import Store
from postoffice.core.store.records import RecordTable
from postoffice.services.sqs.redrive import (
    DeadLetterTarget,
    RedriveAllowPolicy,
    RedrivePolicy,
    parse_redrive_allow_policy,
    parse_redrive_policy,
)
from postoffice.services.sqs.urls import QueueRef, parse_arn

DELETED_RECENTLY_SECONDS = 60.0


@dataclass
class QueueRecord:
    name: str
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    created: int = 0
    last_modified: int = 0


@dataclass
class DeletedQueue:
    deleted_at: float


class Queue:
    """One queue, its attributes parsed for the hot path."""

    def __init__(self, ref: QueueRef, record: QueueRecord) -> None:
        attributes = record.attributes
        self.ref = ref
        self.record = record
        self.arn = ref.arn
        self.name = ref.name
        self.fifo = attributes.get("FifoQueue") == "true"
        self.visibility_timeout = int(attributes["VisibilityTimeout"])
        self.delay = int(attributes["DelaySeconds"])
        self.wait_seconds = int(attributes["ReceiveMessageWaitTimeSeconds"])
        self.maximum_message_size = int(attributes["MaximumMessageSize"])
        self.retention = int(attributes["MessageRetentionPeriod"])
        self.content_based_deduplication = attributes.get("ContentBasedDeduplication") == "true"
        self.deduplication_scope = attributes.get("DeduplicationScope", "queue")
        redrive = attributes.get("RedrivePolicy")
        self.redrive: RedrivePolicy | None = parse_redrive_policy(redrive) if redrive else None
        allow = attributes.get("RedriveAllowPolicy")
        self.allow_policy: RedriveAllowPolicy | None = parse_redrive_allow_policy(allow) if allow else None

    def engine_config(self) -> QueueConfig:
        return QueueConfig(
            fifo=self.fifo,
            visibility_timeout=float(self.visibility_timeout),
            delay=float(self.delay),
            retention=float(self.retention),
            content_based_deduplication=self.content_based_deduplication,
            deduplication_scope="messageGroup" if self.deduplication_scope == "messageGroup" else "queue",
            max_receive_count=self.redrive.max_receive_count if self.redrive else None,
            dead_letter_queue=self.redrive.dead_letter_target_arn if self.redrive else None,
        )

    def as_dead_letter_target(self) -> DeadLetterTarget:
        return DeadLetterTarget(self.arn, self.fifo, self.allow_policy)


class QueueRegistry:
    def __init__(self, store: Store) -> None:
        self.records: RecordTable[QueueRecord] = RecordTable(store, "sqs.queue", QueueRecord)
        self.deleted: RecordTable[DeletedQueue] = RecordTable(store, "sqs.deleted", DeletedQueue)
        self._by_arn: dict[str, Queue] = {}
        self.reload()

    def reload(self) -> None:
        self._by_arn = {}
        for account, region, name, record in self.records.all():
            queue = Queue(QueueRef(account, region, name), record)
            self._by_arn[queue.arn] = queue

    def get(self, ref: QueueRef) -> Queue | None:
        return self._by_arn.get(ref.arn)

    def by_arn(self, arn: str) -> Queue | None:
        queue = self._by_arn.get(arn)
        if queue is None:
            ref = parse_arn(arn)
            queue = self._by_arn.get(ref.arn) if ref is not None else None
        return queue

    def all(self) -> list[Queue]:
        return list(self._by_arn.values())

    def in_partition(self, account: str, region: str) -> list[Queue]:
        queues = [self._by_arn[QueueRef(account, region, name).arn] for name, _ in self.records.items(account, region)]
        return sorted(queues, key=lambda queue: queue.name)

    def dead_letter_sources(self, dlq: Queue) -> list[Queue]:
        sources = [
            queue
            for queue in self.in_partition(dlq.ref.account, dlq.ref.region)
            if queue.redrive is not None and self.by_arn(queue.redrive.dead_letter_target_arn) is dlq
        ]
        return sources

    async def save(self, ref: QueueRef, record: QueueRecord) -> Queue:
        await self.records.put(ref.account, ref.region, ref.name, record)
        queue = Queue(ref, record)
        self._by_arn[queue.arn] = queue
        return queue

    async def remove(self, queue: Queue, now: float) -> None:
        ref = queue.ref
        await self.records.delete(ref.account, ref.region, ref.name)
        self._by_arn.pop(queue.arn, None)
        await self.deleted.put(ref.account, ref.region, ref.name, DeletedQueue(now))

    def deleted_recently(self, ref: QueueRef, now: float) -> bool:
        deleted = self.deleted.get(ref.account, ref.region, ref.name)
        return deleted is not None and now - deleted.deleted_at < DELETED_RECENTLY_SECONDS

    async def forget_deleted(self, ref: QueueRef) -> None:
        if self.deleted.get(ref.account, ref.region, ref.name) is not None:
            await self.deleted.delete(ref.account, ref.region, ref.name)

    async def clear(self) -> None:
        await self.records.clear()
        await self.deleted.clear()
        self._by_arn = {}
