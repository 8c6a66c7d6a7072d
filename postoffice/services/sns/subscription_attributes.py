"""Subscription attributes: the checks Subscribe and SetSubscriptionAttributes make, and the set
GetSubscriptionAttributes answers.

Subscribe words its refusals "Invalid parameter: Attributes Reason: ..." where
SetSubscriptionAttributes says "Invalid parameter: ...".
"""

from __future__ import annotations

import json
from typing import Any

from postoffice.core.arns import parse_arn
from postoffice.core.matcher import CompiledPattern, PatternError, compile_filter_policy
from postoffice.services.sns.arns import FIFO_SUFFIX
from postoffice.services.sns.delivery_policy import (
    HTTP_PROTOCOLS,
    check_subscription_policy,
    subscription_effective_policy,
)
from postoffice.services.sns.errors import invalid_parameter
from postoffice.services.sns.models import Subscription

NAMES = frozenset(
    {
        "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
        "SubscriptionRoleArn", "ReplayPolicy",
    }
)  # fmt: skip
SCOPES = ("MessageAttributes", "MessageBody")
RAW_PROTOCOLS = frozenset({"sqs", "http", "https", "firehose"})


def _prefix(subscribe: bool) -> str:
    return "Invalid parameter: Attributes Reason: " if subscribe else "Invalid parameter: "


def compile_policy(policy: str, scope: str, subscribe: bool) -> CompiledPattern:
    try:
        return compile_filter_policy(policy, scope)
    except PatternError as error:
        raise invalid_parameter(error.sns_message(subscribe=subscribe)) from None


def check_attributes(
    given: dict[str, str],
    protocol: str,
    endpoint: str,
    topic_arn: str,
    current: dict[str, str],
    subscribe: bool,
) -> dict[str, str]:
    """The subscription's attributes after applying `given` (each checked as AWS checks it)."""
    merged = dict(current)
    for name, value in given.items():
        checked = check_attribute(name, value, protocol, endpoint, topic_arn, subscribe)
        if checked == "" and name in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy"):
            merged.pop(name, None)
        else:
            merged[name] = checked
    policy = merged.get("FilterPolicy")
    if policy and ("FilterPolicy" in given or "FilterPolicyScope" in given):
        compile_policy(policy, merged.get("FilterPolicyScope", "MessageAttributes"), subscribe)
    return merged


def check_attribute(name: str, value: str, protocol: str, endpoint: str, topic_arn: str, subscribe: bool) -> str:
    prefix = _prefix(subscribe)
    if name not in NAMES:
        raise invalid_parameter(f"{prefix}AttributeName")
    if name == "FilterPolicyScope":
        if value not in SCOPES:
            raise invalid_parameter(
                f"{prefix}FilterPolicyScope: Invalid value [{value}]. "
                "Please use either MessageBody or MessageAttributes"
            )
        return value
    if name == "RawMessageDelivery":
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise invalid_parameter(f"{prefix}RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
        if lowered == "true" and protocol not in RAW_PROTOCOLS:
            raise invalid_parameter(f"{prefix}Delivery protocol [{protocol}] does not support raw message delivery.")
        return lowered
    if name == "DeliveryPolicy":
        if value and protocol not in HTTP_PROTOCOLS:
            raise invalid_parameter(f"{prefix}Delivery protocol [{protocol}] does not support delivery policies.")
        check_subscription_policy(value)
        return value
    if name == "RedrivePolicy":
        _check_redrive(value, endpoint, topic_arn, prefix)
        return value
    if name == "FilterPolicy" and value:
        try:
            json.loads(value)
        except ValueError:
            raise invalid_parameter(f"{prefix}FilterPolicy: failed to parse JSON.") from None
    return value


def _check_redrive(value: str, endpoint: str, topic_arn: str, prefix: str) -> None:
    if not value:
        return
    try:
        document = json.loads(value)
    except ValueError:
        raise invalid_parameter(f"{prefix}RedrivePolicy: failed to parse JSON.") from None
    if not isinstance(document, dict):
        raise invalid_parameter(f"{prefix}RedrivePolicy: failed to parse JSON.")
    for key in document:
        if key != "deadLetterTargetArn":
            raise invalid_parameter(f"{prefix}RedrivePolicy: Unexpected JSON member: {key}")
    target = document.get("deadLetterTargetArn")
    arn = parse_arn(target) if isinstance(target, str) else None
    if arn is None:
        raise invalid_parameter(f"{prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn")
    if arn.service != "sqs":
        raise invalid_parameter(f"{prefix}RedrivePolicy: deadLetterTargetArn must be an Amazon SQS queue")
    if topic_arn.endswith(FIFO_SUFFIX) and endpoint.endswith(FIFO_SUFFIX) and not arn.resource.endswith(FIFO_SUFFIX):
        raise invalid_parameter(
            f"{prefix}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
        )


def dead_letter_target(redrive_policy: str | None) -> str | None:
    if not redrive_policy:
        return None
    try:
        target = json.loads(redrive_policy).get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        return None
    return target if isinstance(target, str) else None


def rendered(subscription: Subscription, topic_delivery_policy: str) -> dict[str, Any]:
    """GetSubscriptionAttributes' answer."""
    attributes: dict[str, Any] = {
        "ConfirmationWasAuthenticated": _flag(subscription.confirmation_authenticated),
        "PendingConfirmation": _flag(subscription.pending),
        "Owner": subscription.owner,
        "RawMessageDelivery": _flag(subscription.raw),
        "TopicArn": subscription.topic_arn,
        "Endpoint": subscription.endpoint,
        "Protocol": subscription.protocol,
        "SubscriptionPrincipal": subscription.principal,
        "SubscriptionArn": subscription.arn,
    }
    for name, value in subscription.attributes.items():
        if name not in ("RawMessageDelivery", "FilterPolicyScope"):
            attributes[name] = value
    if subscription.attributes.get("FilterPolicy"):
        attributes["FilterPolicyScope"] = subscription.attributes.get("FilterPolicyScope", "MessageAttributes")
    if subscription.protocol in HTTP_PROTOCOLS:
        attributes["EffectiveDeliveryPolicy"] = subscription_effective_policy(
            topic_delivery_policy, subscription.attributes.get("DeliveryPolicy", ""), subscription.protocol
        )
    return attributes


def _flag(value: bool) -> str:
    return "true" if value else "false"
