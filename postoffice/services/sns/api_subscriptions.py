"""Subscriptions: Subscribe, ConfirmSubscription, Unsubscribe, the lists and the attributes.

HTTP/S subscriptions start pending: SNS posts a SubscriptionConfirmation whose SubscribeURL
(or whose Token, given to ConfirmSubscription) confirms them. Email subscriptions start
pending too; their confirmation is recorded (GET /_postoffice/sns/deliveries) instead of
mailed. Unsubscribing an HTTP/S endpoint posts an UnsubscribeConfirmation whose SubscribeURL
restores the subscription.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import uuid
from typing import Any

from postoffice.core.arns import parse_arn
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.sns import envelope
from postoffice.services.sns.arns import (
    FIFO_SUFFIX,
    TopicRef,
    parse_topic_arn,
    subscription_arn,
    topic_of_subscription,
)
from postoffice.services.sns.delivery_policy import HTTP_PROTOCOLS
from postoffice.services.sns.envelope import Notice
from postoffice.services.sns.errors import (
    authorization_error,
    invalid_parameter,
    not_found,
    subscription_not_found,
    topic_not_found,
)
from postoffice.services.sns.models import Subscription, Topic, Unsubscribed
from postoffice.services.sns.paging import page
from postoffice.services.sns.state import SnsState
from postoffice.services.sns.subscription_attributes import check_attributes, rendered
from postoffice.services.sns.topic_attributes import (
    DEFAULT_MAXIMUM_MESSAGE_SIZE,
    LARGE_TOPIC_PROTOCOLS,
    LARGE_TOPIC_SUBSCRIPTIONS,
    maximum_message_size,
)

PROTOCOLS = frozenset({"http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"})
CONFIRMED_BY_SUBSCRIBER = frozenset({"http", "https", "email", "email-json"})
PENDING = "pending confirmation"
LISTED_PENDING = "PendingConfirmation"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_E164 = re.compile(r"\+?[1-9]\d{1,14}")
_ARN_SERVICE = {"sqs": "SQS", "lambda": "Lambda", "firehose": "Firehose"}


def _listed(subscription: Subscription) -> dict[str, Any]:
    return {
        "SubscriptionArn": LISTED_PENDING if subscription.pending else subscription.arn,
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "TopicArn": subscription.topic_arn,
    }


class SubscriptionOperations(SnsState):
    # Subscribe ----------------------------------------------------------------------------

    def _check_endpoint(self, topic: Topic, protocol: str, endpoint: str) -> None:
        if protocol not in PROTOCOLS:
            raise invalid_parameter(f"Invalid parameter: Amazon SNS does not support this protocol string: {protocol}")
        if not endpoint:
            raise invalid_parameter("Invalid parameter: Endpoint")
        if topic.fifo and protocol != "sqs":
            raise invalid_parameter(f"Invalid parameter: Invalid protocol type: {protocol}")
        if protocol in HTTP_PROTOCOLS and not endpoint.startswith(f"{protocol}://"):
            raise invalid_parameter("Invalid parameter: Endpoint must match the specified protocol")
        if protocol in ("email", "email-json") and not _EMAIL.fullmatch(endpoint):
            raise invalid_parameter("Invalid parameter: Email address")
        if protocol == "sms" and not _E164.fullmatch(endpoint):
            raise invalid_parameter(f"Invalid SMS endpoint: {endpoint}")
        if protocol in _ARN_SERVICE:
            arn = parse_arn(endpoint)
            if arn is None or arn.service != protocol:
                raise invalid_parameter(f"Invalid parameter: {_ARN_SERVICE[protocol]} endpoint ARN")
        if protocol == "application":
            arn = parse_arn(endpoint)
            if arn is None or self.endpoints.get(arn.account, arn.region, endpoint) is None:
                raise not_found("Endpoint does not exist")
        if protocol == "sqs" and endpoint.endswith(FIFO_SUFFIX) and not topic.fifo:
            raise invalid_parameter(
                "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to "
                "standard SNS topics"
            )
        if maximum_message_size(topic) > DEFAULT_MAXIMUM_MESSAGE_SIZE:
            if protocol not in LARGE_TOPIC_PROTOCOLS:
                raise invalid_parameter(
                    f"Invalid parameter: Protocol Reason: topics taking messages over 256 KiB do not support {protocol}"
                )
            if len(self.topic_subscriptions(topic.arn)) >= LARGE_TOPIC_SUBSCRIPTIONS:
                raise invalid_parameter(
                    "Invalid parameter: Topic Reason: topics taking messages over 256 KiB support at most 100 "
                    "subscriptions"
                )

    async def Subscribe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.require_topic(ctx, params["TopicArn"])
        ref = parse_topic_arn(topic.arn)
        protocol: str = params["Protocol"]
        endpoint: str = params.get("Endpoint") or ""
        self._check_endpoint(topic, protocol, endpoint)
        given: dict[str, str] = params.get("Attributes") or {}
        attributes = check_attributes(given, protocol, endpoint, topic.arn, {}, subscribe=True)
        return_arn = bool(params.get("ReturnSubscriptionArn"))
        for existing in self.topic_subscriptions(topic.arn):
            if existing.protocol != protocol or existing.endpoint != endpoint:
                continue
            if any(existing.attributes.get(name) != value for name, value in attributes.items()):
                raise invalid_parameter(
                    "Invalid parameter: Attributes Reason: Subscription already exists with different attributes"
                )
            if existing.pending:
                await self._ask_confirmation(ref, topic, existing)
                return {"SubscriptionArn": existing.arn if return_arn else PENDING}
            return {"SubscriptionArn": existing.arn}
        pending = protocol in CONFIRMED_BY_SUBSCRIBER
        subscription = Subscription(
            arn=subscription_arn(topic.arn),
            topic_arn=topic.arn,
            protocol=protocol,
            endpoint=endpoint,
            owner=ctx.account,
            principal=f"arn:aws:iam::{ctx.account}:root",
            created=self.system.clock.now(),
            attributes=attributes,
            pending=pending,
            token=secrets.token_hex(64) if pending else "",
            confirmation_authenticated=not pending,
        )
        await self.save_subscription(ref, subscription)
        if pending:
            await self._ask_confirmation(ref, topic, subscription)
            return {"SubscriptionArn": subscription.arn if return_arn else PENDING}
        return {"SubscriptionArn": subscription.arn}

    async def _ask_confirmation(self, ref: TopicRef, topic: Topic, subscription: Subscription) -> None:
        notice = Notice(
            type=envelope.SUBSCRIPTION_CONFIRMATION,
            message_id=str(uuid.uuid4()),
            topic_arn=topic.arn,
            message=envelope.confirmation_message(topic.arn),
            timestamp=self.system.clock.now(),
            token=subscription.token,
        )
        await self.send_confirmation(ref, topic, subscription, notice)

    async def send_confirmation(self, ref: TopicRef, topic: Topic, subscription: Subscription, notice: Notice) -> None:
        if subscription.protocol in HTTP_PROTOCOLS:
            await self.fanout.queue_confirmation(subscription, notice, ref.account, ref.region)
            return
        record = self.deliverers.confirmation_record(subscription, topic, notice)
        self.recorded.add(record)

    # ConfirmSubscription --------------------------------------------------------------------

    async def ConfirmSubscription(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        try:
            ref = parse_topic_arn(params["TopicArn"])
        except ServiceError:
            raise invalid_parameter("Invalid parameter: Topic") from None
        topic = self.find_topic(ref)
        if topic is None:
            raise topic_not_found()
        token: str = params["Token"]
        subscription = self.subscription_by_token(token)
        if subscription is None:
            subscription = await self._restore(ref, token)
        if subscription is None or subscription.topic_arn != topic.arn:
            raise invalid_parameter("Invalid parameter: Token")
        if subscription.pending:
            subscription = dataclasses.replace(
                subscription,
                pending=False,
                confirmation_authenticated=bool(ctx.access_key),
                authenticate_on_unsubscribe=str(params.get("AuthenticateOnUnsubscribe", "")).lower() == "true",
            )
            await self.save_subscription(ref, subscription)
        return {"SubscriptionArn": subscription.arn}

    async def _restore(self, ref: TopicRef, token: str) -> Subscription | None:
        """An UnsubscribeConfirmation's token brings its subscription back."""
        tombstone = self.unsubscribed.get(ref.account, ref.region, token)
        if tombstone is None:
            return None
        subscription = Subscription(**tombstone.subscription)
        await self.unsubscribed.delete(ref.account, ref.region, token)
        await self.save_subscription(ref, subscription)
        return subscription

    # Unsubscribe ----------------------------------------------------------------------------

    async def Unsubscribe(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        text: str = params["SubscriptionArn"]
        arn = parse_arn(text)
        if arn is None:
            count = len(text.split(":"))
            raise invalid_parameter(
                f"Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not {count}"
            )
        ref = topic_of_subscription(arn)
        if ref is None:
            raise invalid_parameter("Invalid parameter: SubscriptionId")
        subscription = self.find_subscription(ref.account, ref.region, text)
        if subscription is None:
            return
        if subscription.authenticate_on_unsubscribe and not ctx.access_key:
            raise authorization_error("Unsubscribe of this subscription requires authentication")
        await self.drop_subscription(ref, subscription)
        topic = self.find_topic(ref)
        if topic is not None:
            topic = dataclasses.replace(topic, subscriptions_deleted=topic.subscriptions_deleted + 1)
            await self.topics.put(ref.account, ref.region, ref.name, topic)
        if topic is not None and subscription.protocol in HTTP_PROTOCOLS and not subscription.pending:
            await self._confirm_unsubscribe(ref, topic, subscription)

    async def _confirm_unsubscribe(self, ref: TopicRef, topic: Topic, subscription: Subscription) -> None:
        token = secrets.token_hex(64)
        now = self.system.clock.now()
        await self.unsubscribed.put(
            ref.account, ref.region, token, Unsubscribed(token, dataclasses.asdict(subscription), now)
        )
        notice = Notice(
            type=envelope.UNSUBSCRIBE_CONFIRMATION,
            message_id=str(uuid.uuid4()),
            topic_arn=topic.arn,
            message=envelope.unsubscribe_message(subscription.arn),
            timestamp=now,
            token=token,
        )
        await self.send_confirmation(ref, topic, subscription, notice)

    # Lists -----------------------------------------------------------------------------------

    def ListSubscriptions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        items, token = page(self.subscriptions.list(ctx.account, ctx.region), lambda s: s.arn, params.get("NextToken"))
        result: dict[str, Any] = {"Subscriptions": [_listed(item) for item in items]}
        if token:
            result["NextToken"] = token
        return result

    def ListSubscriptionsByTopic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.require_topic(ctx, params["TopicArn"])
        items, token = page(self.topic_subscriptions(topic.arn), lambda s: s.arn, params.get("NextToken"))
        result: dict[str, Any] = {"Subscriptions": [_listed(item) for item in items]}
        if token:
            result["NextToken"] = token
        return result

    # Attributes ------------------------------------------------------------------------------

    def _require_subscription(self, text: str) -> tuple[TopicRef, Subscription]:
        arn = parse_arn(text)
        ref = topic_of_subscription(arn) if arn is not None else None
        if ref is None:
            raise invalid_parameter("Invalid parameter: SubscriptionArn")
        subscription = self.find_subscription(ref.account, ref.region, text)
        if subscription is None:
            raise subscription_not_found()
        return ref, subscription

    def GetSubscriptionAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, subscription = self._require_subscription(params["SubscriptionArn"])
        topic = self.find_topic(ref)
        topic_policy = topic.attributes.get("DeliveryPolicy", "") if topic is not None else ""
        return {"Attributes": rendered(subscription, topic_policy)}

    async def SetSubscriptionAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, subscription = self._require_subscription(params["SubscriptionArn"])
        name: str = params["AttributeName"]
        value: str = params.get("AttributeValue") or ""
        attributes = check_attributes(
            {name: value}, subscription.protocol, subscription.endpoint, subscription.topic_arn,
            subscription.attributes, subscribe=False,
        )  # fmt: skip
        await self.save_subscription(ref, dataclasses.replace(subscription, attributes=attributes))
