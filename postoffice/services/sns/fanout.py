"""Fan-out on the queue engine (DESIGN principle 3): Publish commits one engine message and
answers; a consumer then delivers it to every matching subscription, so a publish costs the
same with one subscriber or a hundred.

- `postoffice:sns:publishes` (standard topics, phone numbers, platform endpoints) and
  `postoffice:sns:fifo-publishes` (FIFO topics: engine groups "<topic>\\n<MessageGroupId>"
  keep each group in order, and engine deduplication ids scoped to the topic, or to the group
  under FifoThroughputScope=MessageGroup, give SNS's 5-minute deduplication).
- The fan-out consumer delivers to SQS, Lambda and the recorded protocols at once (each is an
  in-process call) and hands HTTP/S deliveries to `postoffice:sns:deliveries`, whose consumer
  can wait on a slow endpoint without holding up other topics.
- A failed delivery is retried by its subscription's policy (delivery_policy.py): on a standard
  topic as a message of its own on the deliveries queue; on a FIFO topic by retrying the
  publish itself, which holds back the rest of its message group and skips the subscriptions
  already served. When the policy runs out, or at once for a client error, the message goes to
  the subscription's RedrivePolicy dead-letter queue (the body the subscriber would have
  received; for raw delivery its message attributes; for FIFO its group and deduplication id),
  or is dropped, as AWS drops it, when there is none.

A crash after Publish answered loses nothing: the engine message comes back after its
visibility timeout and fan-out runs again (SNS delivers at least once).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.core.matcher import message_attributes_event, message_body_event
from postoffice.core.queues.engine import Consumer, Message, NewMessage, QueueConfig, QueueEngine, Sent
from postoffice.core.throttle import TokenBuckets
from postoffice.services.sns.deliverers import INLINE_PROTOCOLS, Failure
from postoffice.services.sns.delivery_policy import HTTP_PROTOCOLS, MANAGED_RETRY, RetryPolicy, effective_http_policy
from postoffice.services.sns.envelope import NOTIFICATION, Notice
from postoffice.services.sns.models import Subscription, Topic
from postoffice.services.sns.publishing import ENDPOINT, PHONE, Published

if TYPE_CHECKING:
    from postoffice.services.sns.api import Sns

log = logging.getLogger("postoffice.sns.delivery")

PUBLISHES = "postoffice:sns:publishes"
FIFO_PUBLISHES = "postoffice:sns:fifo-publishes"
DELIVERIES = "postoffice:sns:deliveries"
# Longer than any one delivery (an HTTP call times out after 15 s), so a message being worked on
# is never handed to a second consumer, even while a virtual clock leaps ahead.
VISIBILITY_TIMEOUT = 900.0
RETENTION = 30 * 86_400.0  # AWS managed endpoints are retried for 23 days


@dataclass
class Delivery:
    """One message (or confirmation) on its way to one subscription, on the deliveries queue."""

    account: str
    region: str
    subscription: dict[str, Any]  # the Subscription's fields when it was queued
    notice: dict[str, Any]  # the Notice's fields
    group_id: str | None = None
    deduplication_id: str | None = None
    attempts_before: int = 0  # attempts made before this message was queued
    extra: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> str:
        return orjson.dumps(self).decode()

    @classmethod
    def decode(cls, body: str) -> Delivery:
        return cls(**orjson.loads(body))


def _protocol_key(subscription: Subscription) -> str:
    """The MessageStructure=json key for a subscription (a platform name for mobile push)."""
    if subscription.protocol == "application":
        parts = subscription.endpoint.split(":", 5)[-1].split("/")
        return parts[1] if len(parts) > 1 else "default"
    return subscription.protocol


def fifo_group(topic_arn: str, group: str) -> str:
    return f"{topic_arn}\n{group}"


def fifo_deduplication(topic: Topic, group: str, dedup: str) -> str:
    if topic.attributes.get("FifoThroughputScope") == "MessageGroup":
        return f"{topic.arn}\n{group}\n{dedup}"
    return f"{topic.arn}\n{dedup}"


class Fanout:
    def __init__(self, service: Sns) -> None:
        self.service = service
        self.clock = service.system.clock
        self._consumers: list[Consumer] = []
        self._served: dict[str, set[str]] = {}  # FIFO publish being retried -> subscriptions served
        self._throttled: dict[str, int] = {}  # delivery message -> receives spent waiting on a throttle
        self.limiter = TokenBuckets()

    @property
    def engine(self) -> QueueEngine:
        engine = self.service.system.queues
        if engine is None:
            raise RuntimeError("the queue engine is not set up")
        return engine

    async def start(self) -> None:
        engine = self.engine
        await engine.create_queue(PUBLISHES, QueueConfig(visibility_timeout=VISIBILITY_TIMEOUT, retention=RETENTION))
        await engine.create_queue(
            FIFO_PUBLISHES, QueueConfig(fifo=True, visibility_timeout=VISIBILITY_TIMEOUT, retention=RETENTION)
        )
        await engine.create_queue(DELIVERIES, QueueConfig(visibility_timeout=VISIBILITY_TIMEOUT, retention=RETENTION))
        self._consumers = [
            engine.consume(PUBLISHES, self._handle_publish, concurrency=16, batch_size=10),
            engine.consume(FIFO_PUBLISHES, self._handle_publish, concurrency=8, batch_size=1),
            engine.consume(DELIVERIES, self._handle_delivery, concurrency=32, batch_size=1),
        ]

    async def stop(self) -> None:
        consumers, self._consumers = self._consumers, []
        await asyncio.gather(*(consumer.stop() for consumer in consumers))

    async def purge(self) -> None:
        for queue in (PUBLISHES, FIFO_PUBLISHES, DELIVERIES):
            if self.engine.config(queue) is not None:
                await self.engine.purge(queue)
        self._served.clear()
        self._throttled.clear()

    async def publish(self, published: list[Published], topic: Topic | None = None) -> list[Sent]:
        """Commit publishes for fan-out; their engine message ids are the SNS MessageIds."""
        if topic is None or not topic.fifo:
            return await self.engine.send(PUBLISHES, [NewMessage(body=item.encode()) for item in published])
        messages = []
        for item in published:
            assert item.group_id is not None and item.deduplication_id is not None
            messages.append(
                NewMessage(
                    body=item.encode(),
                    group_id=fifo_group(topic.arn, item.group_id),
                    deduplication_id=fifo_deduplication(topic, item.group_id, item.deduplication_id),
                )
            )
        return await self.engine.send(FIFO_PUBLISHES, messages)

    # Fan-out ---------------------------------------------------------------------------

    def _matches(self, subscription: Subscription, published: Published) -> bool:
        policy = self.service.filter_of(subscription)
        if policy is None:
            return True
        if subscription.attributes.get("FilterPolicyScope") == "MessageBody":
            event = message_body_event(published.text_for(_protocol_key(subscription)))
            return event is not None and policy.matches(event)
        return policy.matches(message_attributes_event(published.attributes))

    def _notice(self, message: Message, published: Published, subscription: Subscription | None) -> Notice:
        text = published.text_for(_protocol_key(subscription)) if subscription is not None else published.message
        if subscription is None and published.structure is not None:
            key = "sms" if published.kind == PHONE else published.target.split(":", 5)[-1].split("/")[1]
            text = published.text_for(key)
        return Notice(
            type=NOTIFICATION,
            message_id=message.message_id,
            topic_arn=published.target,
            message=text,
            timestamp=message.sent_at,
            subject=published.subject,
            attributes=published.attributes,
            sequence_number=message.sequence_number,
        )

    async def _handle_publish(self, message: Message) -> float | None:
        published = Published.decode(message.body)
        if published.kind in (PHONE, ENDPOINT):
            self.service.deliverers.record_direct(
                published.kind, published.target, self._notice(message, published, None)
            )
            return None
        topic = self.service.topic_by_arn(published.target)
        if topic is None:
            return None
        served = self._served.get(message.message_id, set())
        targets = [
            subscription
            for subscription in self.service.topic_subscriptions(topic.arn)
            if not subscription.pending and subscription.arn not in served and self._matches(subscription, published)
        ]
        inline = [subscription for subscription in targets if subscription.protocol in INLINE_PROTOCOLS]
        queued = [subscription for subscription in targets if subscription.protocol not in INLINE_PROTOCOLS]
        notices = [self._notice(message, published, subscription) for subscription in inline]
        outcomes = await asyncio.gather(
            *(
                self.service.deliverers.deliver(
                    subscription, topic, notice, published.group_id, published.deduplication_id
                )
                for subscription, notice in zip(inline, notices, strict=True)
            )
        )
        deliveries = [
            self._delivery(published, subscription, self._notice(message, published, subscription), 0)
            for subscription in queued
        ]
        retry: list[tuple[Subscription, Notice, Failure]] = []
        for subscription, notice, outcome in zip(inline, notices, outcomes, strict=True):
            if outcome is None:
                served.add(subscription.arn)
            elif not outcome.retriable:
                await self.dead_letter(
                    subscription, topic, notice, published.group_id, published.deduplication_id, outcome
                )
            else:
                retry.append((subscription, notice, outcome))
        if deliveries:
            await self.engine.send(DELIVERIES, [NewMessage(body=item.encode()) for item in deliveries])
        if topic.fifo:
            return await self._retry_fifo(message, topic, published, served, retry)
        if retry:
            await self.engine.send(
                DELIVERIES,
                [
                    NewMessage(
                        body=self._delivery(published, subscription, notice, 1).encode(),
                        delay=MANAGED_RETRY.delay(1),
                    )
                    for subscription, notice, _ in retry
                ],
            )
        return None

    async def _retry_fifo(
        self,
        message: Message,
        topic: Topic,
        published: Published,
        served: set[str],
        retry: list[tuple[Subscription, Notice, Failure]],
    ) -> float | None:
        if retry:
            delay = MANAGED_RETRY.delay(message.receive_count)
            if delay is not None:
                self._served[message.message_id] = served
                return max(delay, 0.0)
            for subscription, notice, failure in retry:
                await self.dead_letter(
                    subscription, topic, notice, published.group_id, published.deduplication_id, failure
                )
        self._served.pop(message.message_id, None)
        return None

    def _delivery(self, published: Published, subscription: Subscription, notice: Notice, attempts: int) -> Delivery:
        return Delivery(
            account=published.account,
            region=published.region,
            subscription=asdict(subscription),
            notice=asdict(notice),
            group_id=published.group_id,
            deduplication_id=published.deduplication_id,
            attempts_before=attempts,
        )

    async def queue_confirmation(self, subscription: Subscription, notice: Notice, account: str, region: str) -> None:
        delivery = Delivery(account, region, asdict(subscription), asdict(notice))
        await self.engine.send(DELIVERIES, [NewMessage(body=delivery.encode())])

    # Deliveries ------------------------------------------------------------------------

    async def _handle_delivery(self, message: Message) -> float | None:
        delivery = Delivery.decode(message.body)
        notice = Notice(**delivery.notice)
        snapshot = Subscription(**delivery.subscription)
        subscription = snapshot
        if notice.type == NOTIFICATION:
            current = self.service.find_subscription(delivery.account, delivery.region, snapshot.arn)
            if current is None or current.pending:
                self._throttled.pop(message.message_id, None)
                return None  # unsubscribed meanwhile
            subscription = current
        topic = self.service.topic_by_arn(subscription.topic_arn)
        policy = self._retry_policy(subscription, topic)
        if subscription.protocol in HTTP_PROTOCOLS and notice.type == NOTIFICATION:
            wait = self._throttle(subscription, topic)
            if wait > 0:
                self._throttled[message.message_id] = self._throttled.get(message.message_id, 0) + 1
                return wait
        attempt = delivery.attempts_before + message.receive_count - self._throttled.get(message.message_id, 0)
        outcome = await self.service.deliverers.deliver(
            subscription, topic, notice, delivery.group_id, delivery.deduplication_id
        )
        if outcome is None:
            self._throttled.pop(message.message_id, None)
            return None
        delay = policy.delay(attempt) if outcome.retriable else None
        if delay is not None:
            return max(delay, 0.0)
        self._throttled.pop(message.message_id, None)
        if notice.type == NOTIFICATION:
            await self.dead_letter(subscription, topic, notice, delivery.group_id, delivery.deduplication_id, outcome)
        else:
            log.info("%s for %s not delivered: %s", notice.type, subscription.endpoint, outcome.reason)
        return None

    def _retry_policy(self, subscription: Subscription, topic: Topic | None) -> RetryPolicy:
        if subscription.protocol not in HTTP_PROTOCOLS:
            return MANAGED_RETRY
        topic_policy = topic.attributes.get("DeliveryPolicy", "") if topic is not None else ""
        return effective_http_policy(
            topic_policy, subscription.attributes.get("DeliveryPolicy", ""), subscription.protocol
        ).retry

    def _throttle(self, subscription: Subscription, topic: Topic | None) -> float:
        topic_policy = topic.attributes.get("DeliveryPolicy", "") if topic is not None else ""
        rate = effective_http_policy(
            topic_policy, subscription.attributes.get("DeliveryPolicy", ""), subscription.protocol
        ).max_per_second
        return 0.0 if rate is None else self.limiter.take(subscription.arn, rate, rate, self.clock.now())

    # Dead letters ----------------------------------------------------------------------

    async def dead_letter(
        self,
        subscription: Subscription,
        topic: Topic | None,
        notice: Notice,
        group: str | None,
        dedup: str | None,
        failure: Failure,
    ) -> None:
        """Send an undeliverable message to the subscription's dead-letter queue, or drop it."""
        target = self.service.dead_letter_target(subscription)
        if target is None:
            log.warning("message %s to %s dropped: %s", notice.message_id, subscription.endpoint, failure.reason)
            return
        deliverers = self.service.deliverers
        body = deliverers.body_for(subscription, topic, notice)
        params = deliverers.sqs_params(subscription, body, notice, group, dedup, target)
        outcome = await deliverers.call(target, "sqs", "SendMessage", params)
        if outcome is not None:
            log.warning(
                "message %s lost: dead-letter queue %s refused it: %s", notice.message_id, target, outcome.reason
            )
