"""One message to one subscription, by protocol: SQS and Lambda in-process, HTTP/S over the
network, the rest recorded. Every failure says whether a retry can help: SNS retries server
errors (the endpoint is unavailable or answered 5xx) and gives up at once on client errors
(the queue or function is gone, the request is refused).
"""

from __future__ import annotations

import functools
import itertools
import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from postoffice.core.arns import Arn, parse_arn
from postoffice.core.internal_calls import NotRunning, call_operation, sqs_queue_url
from postoffice.protocol.errors import ServiceError
from postoffice.services.sns import envelope, http_client, message_attributes
from postoffice.services.sns.arns import FIFO_SUFFIX
from postoffice.services.sns.delivery_policy import HTTP_PROTOCOLS, effective_http_policy
from postoffice.services.sns.envelope import NOTIFICATION, Notice
from postoffice.services.sns.models import Subscription, Topic

if TYPE_CHECKING:
    from postoffice.services.sns.api import Sns

log = logging.getLogger("postoffice.sns.delivery")

INLINE_PROTOCOLS = frozenset({"sqs", "lambda", "email", "email-json", "sms", "application", "firehose"})
RECORDED_PROTOCOLS = frozenset({"email", "email-json", "sms", "application", "firehose"})
_RENDERED_CACHE = 256  # messages whose envelope fan-out is still handing out
_THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequestsException", "KMSThrottlingException"}
)


@dataclass(frozen=True)
class Failure:
    reason: str
    retriable: bool


def classify(error: ServiceError) -> Failure:
    retriable = error.code in _THROTTLED or error.status >= 500 or not error.sender_fault
    return Failure(f"{error.code}: {error.message}", retriable)


_REQUEST_PREFIX = str(uuid.uuid4())[:24]
_request_numbers = itertools.count()


def _request_id() -> str:
    return f"{_REQUEST_PREFIX}{next(_request_numbers) & 0xFFFFFFFFFFFF:012x}"


@functools.lru_cache(maxsize=4096)
def _arn(text: str) -> Arn | None:
    return parse_arn(text)


class Deliverers:
    def __init__(self, service: Sns) -> None:
        self.service = service
        self._rendered: OrderedDict[tuple[Any, ...], tuple[str, str]] = OrderedDict()

    @property
    def base_url(self) -> str:
        return self.service.system.settings.endpoint

    def body_for(self, subscription: Subscription, topic: Topic | None, notice: Notice) -> str:
        """What a queue, an HTTP endpoint or a dead-letter queue receives for this notice."""
        if notice.type == NOTIFICATION and subscription.raw:
            return notice.message
        version = topic.signature_version if topic is not None else "1"
        if notice.type != NOTIFICATION:
            return envelope.confirmation_body(notice, self.base_url, self.service.signer, version)
        fifo = subscription.topic_arn.endswith(FIFO_SUFFIX)
        key = (notice.message_id, version, fifo, notice.message, notice.subject)
        parts = self._rendered.get(key)
        if parts is None:
            parts = envelope.notification_parts(notice, self.base_url, self.service.signer, version, fifo)
            self._rendered[key] = parts
            if len(self._rendered) > _RENDERED_CACHE:
                self._rendered.popitem(last=False)
        return envelope.join_parts(parts[0], parts[1], self.base_url, subscription.arn)

    async def deliver(
        self, subscription: Subscription, topic: Topic | None, notice: Notice, group: str | None, dedup: str | None
    ) -> Failure | None:
        protocol = subscription.protocol
        if protocol == "sqs":
            return await self._to_sqs(subscription, topic, notice, group, dedup)
        if protocol == "lambda":
            return await self._to_lambda(subscription, notice)
        if protocol in HTTP_PROTOCOLS:
            return await self._to_http(subscription, topic, notice)
        self._record(subscription, topic, notice)
        return None

    async def call(self, arn: str, service_name: str, operation: str, params: dict[str, Any]) -> Failure | None:
        """Call a postoffice service in-process, in the account and region of `arn`."""
        parsed, services = _arn(arn), self.service.system.services
        try:
            if parsed is not None:
                await call_operation(services, service_name, operation, parsed, params, _request_id())
                return None
        except NotRunning:
            pass
        except ServiceError as error:
            return classify(error)
        return Failure(f"postoffice cannot call {service_name} {operation} for {arn}", retriable=False)

    def sqs_params(
        self, subscription: Subscription, body: str, notice: Notice, group: str | None, dedup: str | None, queue: str
    ) -> dict[str, Any]:
        parsed = _arn(queue)
        assert parsed is not None
        params: dict[str, Any] = {
            "QueueUrl": sqs_queue_url(parsed),
            "MessageBody": body,
        }
        if subscription.raw and notice.attributes:
            params["MessageAttributes"] = message_attributes.to_publish(notice.attributes)
        if queue.endswith(FIFO_SUFFIX):
            if group is not None:
                params["MessageGroupId"] = group
            if dedup is not None:
                params["MessageDeduplicationId"] = dedup
        elif group is not None and not subscription.topic_arn.endswith(FIFO_SUFFIX):
            params["MessageGroupId"] = group  # a fair queue behind a standard topic
        return params

    async def _to_sqs(
        self, subscription: Subscription, topic: Topic | None, notice: Notice, group: str | None, dedup: str | None
    ) -> Failure | None:
        body = self.body_for(subscription, topic, notice)
        params = self.sqs_params(subscription, body, notice, group, dedup, subscription.endpoint)
        return await self.call(subscription.endpoint, "sqs", "SendMessage", params)

    async def _to_lambda(self, subscription: Subscription, notice: Notice) -> Failure | None:
        payload = envelope.lambda_event(notice, subscription.arn, self.base_url, self.service.signer)
        params = {"FunctionName": subscription.endpoint, "InvocationType": "Event", "Payload": payload}
        return await self.call(subscription.endpoint, "lambda", "Invoke", params)

    async def _to_http(self, subscription: Subscription, topic: Topic | None, notice: Notice) -> Failure | None:
        body = self.body_for(subscription, topic, notice)
        headers = {
            "Content-Type": "text/plain; charset=UTF-8",
            "x-amz-sns-message-type": notice.type,
            "x-amz-sns-message-id": notice.message_id,
            "x-amz-sns-topic-arn": notice.topic_arn,
        }
        if notice.type != envelope.SUBSCRIPTION_CONFIRMATION:
            headers["x-amz-sns-subscription-arn"] = subscription.arn
        if notice.type == NOTIFICATION:
            topic_policy = topic.attributes.get("DeliveryPolicy", "") if topic is not None else ""
            policy = effective_http_policy(
                topic_policy, subscription.attributes.get("DeliveryPolicy", ""), subscription.protocol
            )
            headers["Content-Type"] = policy.content_type
            if subscription.raw:
                headers["x-amz-sns-rawdelivery"] = "true"
        answer = await http_client.post(subscription.endpoint, body.encode("utf-8"), headers)
        if answer.status is not None and answer.status < 500:
            return None  # SNS counts any answer below 500 as delivered
        if answer.status is None:
            return Failure(f"Connection error: {answer.reason}", retriable=True)
        return Failure(f"HTTP {answer.status}: {answer.reason}", retriable=True)

    def _record(self, subscription: Subscription, topic: Topic | None, notice: Notice) -> None:
        record: dict[str, Any] = {
            "Protocol": subscription.protocol,
            "Endpoint": subscription.endpoint,
            "TopicArn": notice.topic_arn,
            "SubscriptionArn": subscription.arn,
            "MessageId": notice.message_id,
            "Type": notice.type,
            "Subject": notice.subject,
            "Message": notice.message,
            "MessageAttributes": message_attributes.to_notification(notice.attributes),
            "Timestamp": envelope.iso_timestamp(notice.timestamp),
        }
        if subscription.protocol in ("email-json", "firehose"):
            record["Body"] = self.body_for(subscription, topic, notice)
        self.service.recorded.add(record)

    def confirmation_record(self, subscription: Subscription, topic: Topic, notice: Notice) -> dict[str, Any]:
        """The confirmation an email subscriber would have been mailed."""
        assert notice.token is not None
        return {
            "Protocol": subscription.protocol,
            "Endpoint": subscription.endpoint,
            "TopicArn": notice.topic_arn,
            "SubscriptionArn": subscription.arn,
            "MessageId": notice.message_id,
            "Type": notice.type,
            "Message": notice.message,
            "Token": notice.token,
            "SubscribeURL": envelope.subscribe_url(self.base_url, topic.arn, notice.token),
            "Timestamp": envelope.iso_timestamp(notice.timestamp),
        }

    def record_direct(self, kind: str, target: str, notice: Notice) -> None:
        """A publish straight to a phone number or a platform endpoint."""
        self.service.recorded.add(
            {
                "Protocol": "sms" if kind == "phone" else "application",
                "Endpoint": target,
                "TopicArn": None,
                "SubscriptionArn": None,
                "MessageId": notice.message_id,
                "Type": notice.type,
                "Subject": notice.subject,
                "Message": notice.message,
                "MessageAttributes": message_attributes.to_notification(notice.attributes),
                "Timestamp": envelope.iso_timestamp(notice.timestamp),
            }
        )
