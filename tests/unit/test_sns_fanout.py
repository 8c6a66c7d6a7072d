"""Fan-out decisions with stand-ins for the engine and the subscribers: which subscriptions a
message reaches, how failures are retried (FIFO: the publish itself, skipping subscriptions
already served; standard: a delivery of its own) and when they are dead-lettered."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from postoffice.core.clock import VirtualClock
from postoffice.core.queues.engine import Message, NewMessage
from postoffice.services.sns.deliverers import Failure
from postoffice.services.sns.delivery_policy import MANAGED_RETRY
from postoffice.services.sns.fanout import DELIVERIES, Delivery, Fanout
from postoffice.services.sns.models import Subscription, Topic
from postoffice.services.sns.publishing import Published

TOPIC = "arn:aws:sns:us-east-1:000000000000:jobs"


@dataclass
class Engine:
    sent: dict[str, list[NewMessage]] = field(default_factory=dict)

    async def send(self, queue: str, messages: list[NewMessage]) -> list[Any]:
        self.sent.setdefault(queue, []).extend(messages)
        return []


@dataclass
class Deliverers:
    outcomes: dict[str, list[Failure | None]]
    calls: list[str] = field(default_factory=list)

    async def deliver(self, subscription: Subscription, *args: Any) -> Failure | None:
        self.calls.append(subscription.arn)
        planned = self.outcomes.get(subscription.arn, [None])
        return planned.pop(0) if len(planned) > 1 else planned[0]


class Service:
    def __init__(self, topic: Topic, subscriptions: list[Subscription], deliverers: Deliverers) -> None:
        self.topic = topic
        self.subscriptions = subscriptions
        self.deliverers = deliverers
        self.dead: list[tuple[str, str]] = []
        self.system = SimpleNamespace(clock=VirtualClock(1000.0), queues=Engine())

    def topic_by_arn(self, arn: str) -> Topic | None:
        return self.topic if arn == self.topic.arn else None

    def topic_subscriptions(self, arn: str) -> list[Subscription]:
        return self.subscriptions

    def filter_of(self, subscription: Subscription) -> None:
        return None

    def dead_letter_target(self, subscription: Subscription) -> str | None:
        return "arn:aws:sqs:us-east-1:000000000000:dlq"


def subscription(name: str, topic: str = TOPIC, protocol: str = "sqs") -> Subscription:
    return Subscription(
        arn=f"{topic}:{name}", topic_arn=topic, protocol=protocol, endpoint=f"arn:aws:sqs:us-east-1:0:{name}",
        owner="0", principal="p", created=0.0,
    )  # fmt: skip


def message(published: Published, receive_count: int = 1) -> Message:
    return Message(
        queue="q", message_id="m-1", body=published.encode(), attributes={}, sent_at=1000.0,
        receive_count=receive_count, first_received_at=1000.0, receipt_handle="h", sequence_number="1",
    )  # fmt: skip


def fanout_for(topic: Topic, subscriptions: list[Subscription], outcomes: dict[str, list[Failure | None]]) -> Fanout:
    service = Service(topic, subscriptions, Deliverers(outcomes))
    fanout = Fanout(service)  # type: ignore[arg-type]

    async def dead_letter(sub: Subscription, topic: Any, notice: Any, group: Any, dedup: Any, failure: Failure) -> None:
        service.dead.append((sub.arn, failure.reason))

    fanout.dead_letter = dead_letter  # type: ignore[method-assign]
    return fanout


def test_fifo_retries_the_publish_and_skips_subscriptions_already_served() -> None:
    arn = TOPIC + ".fifo"
    topic = Topic("jobs.fifo", arn, "0", 0.0, {"FifoTopic": "true"})
    first, second = subscription("a", arn), subscription("b", arn)
    busy = Failure("server busy", retriable=True)
    fanout = fanout_for(topic, [first, second], {second.arn: [busy, None]})
    published = Published("topic", "0", "us-east-1", arn, "m", group_id="g", deduplication_id="d")
    delay = asyncio.run(fanout._handle_publish(message(published, receive_count=1)))
    assert delay == MANAGED_RETRY.delay(1) == 0.0
    assert asyncio.run(fanout._handle_publish(message(published, receive_count=2))) is None
    deliverers = fanout.service.deliverers
    assert deliverers.calls == [first.arn, second.arn, second.arn]  # type: ignore[attr-defined]
    assert fanout._served == {}


def test_fifo_gives_up_when_the_managed_policy_runs_out() -> None:
    arn = TOPIC + ".fifo"
    topic = Topic("jobs.fifo", arn, "0", 0.0, {"FifoTopic": "true"})
    only = subscription("a", arn)
    fanout = fanout_for(topic, [only], {only.arn: [Failure("down", retriable=True)]})
    published = Published("topic", "0", "us-east-1", arn, "m", group_id="g", deduplication_id="d")
    last = MANAGED_RETRY.num_retries + 1
    assert asyncio.run(fanout._handle_publish(message(published, receive_count=last))) is None
    assert fanout.service.dead == [(only.arn, "down")]  # type: ignore[attr-defined]


def test_standard_topic_queues_a_retry_per_failed_subscription_and_dead_letters_client_errors() -> None:
    topic = Topic("jobs", TOPIC, "0", 0.0)
    ok, busy, gone, web = (
        subscription("ok"),
        subscription("busy"),
        subscription("gone"),
        subscription("web", protocol="http"),
    )
    fanout = fanout_for(
        topic,
        [ok, busy, gone, web],
        {busy.arn: [Failure("busy", retriable=True)], gone.arn: [Failure("QueueDoesNotExist", retriable=False)]},
    )
    published = Published("topic", "0", "us-east-1", TOPIC, "m")
    assert asyncio.run(fanout._handle_publish(message(published))) is None
    assert fanout.service.dead == [(gone.arn, "QueueDoesNotExist")]  # type: ignore[attr-defined]
    queued = [Delivery.decode(item.body) for item in fanout.service.system.queues.sent[DELIVERIES]]  # type: ignore[attr-defined]
    assert [(d.subscription["arn"], d.attempts_before) for d in queued] == [(web.arn, 0), (busy.arn, 1)]
    assert fanout.service.deliverers.calls == [ok.arn, busy.arn, gone.arn]  # type: ignore[attr-defined]


def test_pending_subscriptions_get_nothing() -> None:
    topic = Topic("jobs", TOPIC, "0", 0.0)
    waiting = subscription("waiting")
    waiting.pending = True
    fanout = fanout_for(topic, [waiting], {})
    asyncio.run(fanout._handle_publish(message(Published("topic", "0", "us-east-1", TOPIC, "m"))))
    assert fanout.service.deliverers.calls == []  # type: ignore[attr-defined]
