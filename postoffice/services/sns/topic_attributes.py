"""Topic attributes: which ones CreateTopic and SetTopicAttributes take, their checks, and the
full set GetTopicAttributes answers (with the policy document AWS writes for a new topic)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from postoffice.services.sns.delivery_policy import check_topic_policy, topic_effective_policy
from postoffice.services.sns.errors import invalid_parameter
from postoffice.services.sns.models import Subscription, Topic

DEFAULT_MAXIMUM_MESSAGE_SIZE = 262_144
MAXIMUM_MESSAGE_SIZE = 1_048_576
MINIMUM_MESSAGE_SIZE = 1_024
LARGE_TOPIC_SUBSCRIPTIONS = 100  # topics taking messages over 256 KiB
LARGE_TOPIC_PROTOCOLS = frozenset({"sqs", "lambda", "firehose"})

_FEEDBACK = [
    f"{endpoint}{outcome}"
    for endpoint in ("Application", "HTTP", "Lambda", "SQS", "Firehose")
    for outcome in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
]
SETTABLE = frozenset(
    {
        "DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
        "ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy", "MaximumMessageSize", *_FEEDBACK,
    }
)  # fmt: skip
FIFO_ONLY = frozenset({"ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy"})
DEFAULT_POLICY_ACTIONS = (
    "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
)  # fmt: skip


def default_policy(arn: str, account: str) -> str:
    document = {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(DEFAULT_POLICY_ACTIONS),
                "Resource": arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
            }
        ],
    }
    return json.dumps(document, separators=(",", ":"))


def _choice(name: str, value: str, allowed: Iterable[str]) -> str:
    for option in allowed:
        if value.lower() == option.lower():
            return option
    raise invalid_parameter(f"Invalid parameter: {name}")


def check_attribute(name: str, value: str, fifo: bool) -> str:
    """The value to store for one settable attribute, or InvalidParameter."""
    if name not in SETTABLE:
        raise invalid_parameter("Invalid parameter: AttributeName")
    if name in FIFO_ONLY and not fifo:
        raise invalid_parameter(f"Invalid parameter: {name} Reason: {name} is only valid for FIFO topics")
    if name == "Policy":
        return _json_object(name, value)
    if name == "DeliveryPolicy":
        check_topic_policy(value)
        return value
    if name == "SignatureVersion":
        return _choice(name, value, ("1", "2"))
    if name == "TracingConfig":
        return _choice(name, value, ("PassThrough", "Active"))
    if name == "ContentBasedDeduplication":
        return _choice(name, value, ("true", "false"))
    if name == "FifoThroughputScope":
        return _choice(name, value, ("Topic", "MessageGroup"))
    if name == "ArchivePolicy":
        return _archive_policy(value)
    if name == "MaximumMessageSize":
        return _maximum_message_size(value)
    if name.endswith("SampleRate"):
        if not value.isdigit() or int(value) > 100:
            raise invalid_parameter(f"Invalid parameter: {name}")
    return value


def _json_object(name: str, value: str) -> str:
    try:
        document = json.loads(value)
    except ValueError:
        raise invalid_parameter(f"Invalid parameter: {name}") from None
    if not isinstance(document, dict):
        raise invalid_parameter(f"Invalid parameter: {name}")
    return value


def _archive_policy(value: str) -> str:
    if value in ("", "{}"):
        return value
    _json_object("ArchivePolicy", value)
    period = json.loads(value).get("MessageRetentionPeriod")
    text = str(period) if isinstance(period, (str, int)) and not isinstance(period, bool) else ""
    if not text.isdigit() or not 1 <= int(text) <= 365:
        raise invalid_parameter(
            "Invalid parameter: ArchivePolicy Reason: MessageRetentionPeriod must be an integer between 1 and 365"
        )
    return value


def _maximum_message_size(value: str) -> str:
    if not value.isdigit() or not MINIMUM_MESSAGE_SIZE <= int(value) <= MAXIMUM_MESSAGE_SIZE:
        raise invalid_parameter(
            f"Invalid parameter: MaximumMessageSize Reason: must be an integer between {MINIMUM_MESSAGE_SIZE} "
            f"and {MAXIMUM_MESSAGE_SIZE}"
        )
    return value


def maximum_message_size(topic: Topic | None) -> int:
    if topic is None:
        return DEFAULT_MAXIMUM_MESSAGE_SIZE
    return int(topic.attributes.get("MaximumMessageSize") or DEFAULT_MAXIMUM_MESSAGE_SIZE)


def creation_attributes(given: dict[str, str], fifo: bool) -> dict[str, str]:
    """CreateTopic's Attributes, checked, as stored (FifoTopic is handled by the caller)."""
    stored: dict[str, str] = {}
    for name, value in given.items():
        if name == "FifoTopic":
            continue
        stored[name] = check_attribute(name, value, fifo)
    if fifo:
        stored["FifoTopic"] = "true"
        stored.setdefault("ContentBasedDeduplication", "false")
    return stored


def same_attributes(topic: Topic, given: dict[str, str]) -> bool:
    """CreateTopic on an existing topic: every given attribute must equal the stored one."""
    for name, value in given.items():
        if name == "FifoTopic":
            if (value.lower() == "true") != topic.fifo:
                return False
            continue
        current = topic.attributes.get(name)
        if name == "Policy" and current is None:
            current = default_policy(topic.arn, topic.owner)
        if current != value:
            return False
    return True


def all_attributes(topic: Topic, subscriptions: Iterable[Subscription]) -> dict[str, Any]:
    confirmed = pending = 0
    for subscription in subscriptions:
        if subscription.pending:
            pending += 1
        else:
            confirmed += 1
    attributes: dict[str, Any] = {
        "Policy": default_policy(topic.arn, topic.owner),
        "Owner": topic.owner,
        "SubscriptionsPending": str(pending),
        "TopicArn": topic.arn,
        "EffectiveDeliveryPolicy": topic_effective_policy(topic.attributes.get("DeliveryPolicy", "")),
        "SubscriptionsConfirmed": str(confirmed),
        "DisplayName": "",
        "SubscriptionsDeleted": str(topic.subscriptions_deleted),
    }
    attributes.update(topic.attributes)
    return attributes
