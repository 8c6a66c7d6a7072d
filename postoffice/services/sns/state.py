"""SNS's resources in the store and the lookups every operation shares: topics, subscriptions
(indexed by topic, with their compiled filter policies), platform applications and endpoints,
SMS settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postoffice.core.matcher import CompiledPattern
from postoffice.core.store.records import RecordTable
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.sns.arns import TopicRef, parse_topic_arn
from postoffice.services.sns.errors import invalid_parameter, topic_not_found
from postoffice.services.sns.models import (
    PlatformApplication,
    PlatformEndpoint,
    SmsSettings,
    Subscription,
    Topic,
    Unsubscribed,
)
from postoffice.services.sns.subscription_attributes import compile_policy

if TYPE_CHECKING:
    from postoffice.core.system import System
    from postoffice.services.sns.deliverers import Deliverers
    from postoffice.services.sns.fanout import Fanout
    from postoffice.services.sns.recorded import RecordedDeliveries
    from postoffice.services.sns.signing import Signer


class SnsState:
    """Mixed into the service: record tables and the helpers built on them."""

    system: System
    fanout: Fanout
    deliverers: Deliverers
    recorded: RecordedDeliveries
    signer: Signer

    def _init_state(self) -> None:
        store = self.system.store
        self.topics: RecordTable[Topic] = RecordTable(store, "sns.topic", Topic)
        self.subscriptions: RecordTable[Subscription] = RecordTable(store, "sns.subscription", Subscription)
        self.applications: RecordTable[PlatformApplication] = RecordTable(
            store, "sns.platform-application", PlatformApplication
        )
        self.endpoints: RecordTable[PlatformEndpoint] = RecordTable(store, "sns.platform-endpoint", PlatformEndpoint)
        self.unsubscribed: RecordTable[Unsubscribed] = RecordTable(store, "sns.unsubscribed", Unsubscribed)
        self.sms: RecordTable[SmsSettings] = RecordTable(store, "sns.sms", SmsSettings)
        self._by_topic: dict[str, dict[str, Subscription]] = {}
        self._by_token: dict[str, str] = {}
        self._filters: dict[str, CompiledPattern | None] = {}
        self._index_subscriptions()

    def _index_subscriptions(self) -> None:
        self._by_topic.clear()
        self._by_token.clear()
        self._filters.clear()
        for _, _, _, subscription in self.subscriptions.all():
            self._index(subscription)

    def _index(self, subscription: Subscription) -> None:
        self._by_topic.setdefault(subscription.topic_arn, {})[subscription.arn] = subscription
        if subscription.token:
            self._by_token[subscription.token] = subscription.arn
        self._filters.pop(subscription.arn, None)

    async def _clear_state(self) -> None:
        for table in (self.topics, self.subscriptions, self.applications, self.endpoints, self.unsubscribed, self.sms):
            await table.clear()
        self._index_subscriptions()

    # Topics ---------------------------------------------------------------------------

    def topic_ref(self, ctx: RequestContext, arn: str | None, parameter: str = "TopicArn") -> TopicRef:
        """The topic an ARN names; it must be in the caller's region (any account)."""
        ref = parse_topic_arn(arn, parameter)
        if ref.region != ctx.region:
            raise invalid_parameter(f"Invalid parameter: {parameter}")
        return ref

    def find_topic(self, ref: TopicRef) -> Topic | None:
        return self.topics.get(ref.account, ref.region, ref.name)

    def require_topic(self, ctx: RequestContext, arn: str | None, parameter: str = "TopicArn") -> Topic:
        topic = self.find_topic(self.topic_ref(ctx, arn, parameter))
        if topic is None:
            raise topic_not_found()
        return topic

    def topic_by_arn(self, arn: str) -> Topic | None:
        try:
            ref = parse_topic_arn(arn)
        except ServiceError:
            return None
        return self.find_topic(ref)

    # Subscriptions --------------------------------------------------------------------

    def topic_subscriptions(self, topic_arn: str) -> list[Subscription]:
        return list(self._by_topic.get(topic_arn, {}).values())

    def find_subscription(self, account: str, region: str, arn: str) -> Subscription | None:
        return self.subscriptions.get(account, region, arn)

    def subscription_by_token(self, token: str) -> Subscription | None:
        arn = self._by_token.get(token)
        if arn is None:
            return None
        for subscriptions in self._by_topic.values():
            if arn in subscriptions:
                return subscriptions[arn]
        return None

    async def save_subscription(self, ref: TopicRef, subscription: Subscription) -> None:
        await self.subscriptions.put(ref.account, ref.region, subscription.arn, subscription)
        self._index(subscription)

    async def drop_subscription(self, ref: TopicRef, subscription: Subscription) -> None:
        await self.subscriptions.delete(ref.account, ref.region, subscription.arn)
        self._by_topic.get(subscription.topic_arn, {}).pop(subscription.arn, None)
        if not self._by_topic.get(subscription.topic_arn):
            self._by_topic.pop(subscription.topic_arn, None)
        self._by_token.pop(subscription.token, None)
        self._filters.pop(subscription.arn, None)

    def filter_of(self, subscription: Subscription) -> CompiledPattern | None:
        """The subscription's compiled FilterPolicy (checked when it was set), or None."""
        if subscription.arn in self._filters:
            return self._filters[subscription.arn]
        policy = subscription.attributes.get("FilterPolicy")
        compiled = None
        if policy:
            compiled = compile_policy(
                policy, subscription.attributes.get("FilterPolicyScope", "MessageAttributes"), False
            )
        self._filters[subscription.arn] = compiled
        return compiled
