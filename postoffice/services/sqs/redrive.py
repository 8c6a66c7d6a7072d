"""Dead-letter queues: RedrivePolicy (on the source) and RedriveAllowPolicy (on the DLQ)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from postoffice.protocol.errors import ServiceError
from postoffice.services.sqs.errors import invalid_attribute_value, invalid_parameter_value
from postoffice.services.sqs.urls import parse_arn

MAX_RECEIVE_COUNT = 1000
MAX_ALLOWED_SOURCES = 10
PERMISSIONS = ("allowAll", "denyAll", "byQueue")


@dataclass(frozen=True)
class RedrivePolicy:
    dead_letter_target_arn: str
    max_receive_count: int

    def render(self) -> str:
        return orjson.dumps(
            {"deadLetterTargetArn": self.dead_letter_target_arn, "maxReceiveCount": self.max_receive_count}
        ).decode()


@dataclass(frozen=True)
class RedriveAllowPolicy:
    permission: str
    source_queue_arns: tuple[str, ...] = ()

    def allows(self, source_arn: str) -> bool:
        if self.permission == "allowAll":
            return True
        if self.permission == "byQueue":
            return source_arn in self.source_queue_arns
        return False

    def render(self) -> str:
        document: dict[str, Any] = {"redrivePermission": self.permission}
        if self.permission == "byQueue":
            document["sourceQueueArns"] = list(self.source_queue_arns)
        return orjson.dumps(document).decode()


@dataclass(frozen=True)
class DeadLetterTarget:
    """What the redrive checks need to know about the queue a policy names."""

    arn: str
    fifo: bool
    allow_policy: RedriveAllowPolicy | None


def _redrive_error(raw: str, reason: str) -> ServiceError:
    return invalid_parameter_value("RedrivePolicy", raw, reason)


def parse_redrive_policy(raw: str) -> RedrivePolicy:
    """The policy as written, checked for shape only (the target is checked separately)."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _redrive_error(raw, "Redrive policy is not a valid JSON map.") from None
    if not isinstance(document, dict):
        raise _redrive_error(raw, "Redrive policy is not a valid JSON map.")
    unknown = sorted(set(document) - {"deadLetterTargetArn", "maxReceiveCount"})
    if unknown:
        raise _redrive_error(raw, "Only following attributes are supported:[deadLetterTargetArn, maxReceiveCount].")
    for member in ("deadLetterTargetArn", "maxReceiveCount"):
        if member not in document:
            raise _redrive_error(raw, f"Redrive policy does not contain mandatory attribute: {member}.")
    target = document["deadLetterTargetArn"]
    if not isinstance(target, str) or parse_arn(target) is None:
        raise _redrive_error(raw, "Invalid value for deadLetterTargetArn.")
    count = _as_int(document["maxReceiveCount"])
    if count is None or not 1 <= count <= MAX_RECEIVE_COUNT:
        raise _redrive_error(
            raw,
            f"Invalid value for maxReceiveCount: {document['maxReceiveCount']}, "
            "valid values are from 1 to 1000 both inclusive.",
        )
    return RedrivePolicy(target, count)


def check_redrive_target(
    raw: str,
    policy: RedrivePolicy,
    source_arn: str,
    source_fifo: bool,
    find: Callable[[str], DeadLetterTarget | None],
) -> None:
    target = find(policy.dead_letter_target_arn)
    if target is None:
        raise _redrive_error(raw, "Dead letter target does not exist.")
    if target.fifo != source_fifo:
        raise _redrive_error(raw, "Dead-letter queue must be same type of queue as the source..")
    if target.allow_policy is not None and not target.allow_policy.allows(source_arn):
        raise _redrive_error(raw, f"Queue {target.arn} does not allow {source_arn} to use it as a dead-letter queue.")


def parse_redrive_allow_policy(raw: str) -> RedriveAllowPolicy:
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid_attribute_value("RedriveAllowPolicy", "The policy is not valid JSON.") from None
    if not isinstance(document, dict):
        raise invalid_attribute_value("RedriveAllowPolicy", "The policy must be a JSON object.")
    unknown = sorted(set(document) - {"redrivePermission", "sourceQueueArns"})
    if unknown:
        raise invalid_attribute_value(
            "RedriveAllowPolicy", "Only following attributes are supported:[redrivePermission, sourceQueueArns]."
        )
    permission = document.get("redrivePermission")
    if permission not in PERMISSIONS:
        raise invalid_attribute_value(
            "RedriveAllowPolicy", "redrivePermission must be one of allowAll, denyAll, byQueue."
        )
    sources = document.get("sourceQueueArns")
    if permission != "byQueue":
        if sources is not None:
            raise invalid_attribute_value(
                "RedriveAllowPolicy", "sourceQueueArns can be specified only when redrivePermission is byQueue."
            )
        return RedriveAllowPolicy(permission)
    if not isinstance(sources, list) or not sources or not all(isinstance(arn, str) for arn in sources):
        raise invalid_attribute_value(
            "RedriveAllowPolicy", "sourceQueueArns must list the source queue ARNs when redrivePermission is byQueue."
        )
    if len(sources) > MAX_ALLOWED_SOURCES:
        raise invalid_attribute_value(
            "RedriveAllowPolicy", f"The maximum number of source queue ARNs is {MAX_ALLOWED_SOURCES}."
        )
    if any(parse_arn(arn) is None for arn in sources):
        raise invalid_attribute_value("RedriveAllowPolicy", "sourceQueueArns must contain valid queue ARNs.")
    return RedriveAllowPolicy(permission, tuple(sources))


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value.strip())
    return None
