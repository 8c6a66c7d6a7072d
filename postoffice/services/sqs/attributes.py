"""Queue attributes: AWS's names, defaults, limits, combination rules and rendering.

A queue keeps its settable attributes as the canonical strings GetQueueAttributes shows
(defaults filled in). `parse_update` checks what a CreateQueue or SetQueueAttributes asks for
and `apply_update` merges it, enforcing the rules that span attributes (SSE-KMS vs SSE-SQS,
FIFO high throughput).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from postoffice.services.sqs.errors import invalid_attribute_value, sqs_error, unknown_attribute
from postoffice.services.sqs.redrive import RedrivePolicy, parse_redrive_allow_policy, parse_redrive_policy

DEFAULT_MAXIMUM_MESSAGE_SIZE = 1_048_576
DEFAULT_KMS_REUSE_SECONDS = "300"

INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1_024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
BOOLEANS = frozenset({"FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled"})
FIFO_ONLY = frozenset({"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"})
REMOVABLE = frozenset({"Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"})
SETTABLE = frozenset(INTEGER_RANGES) | frozenset(CHOICES) | BOOLEANS | REMOVABLE

STANDARD_DEFAULTS: dict[str, str] = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": str(DEFAULT_MAXIMUM_MESSAGE_SIZE),
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}

COUNT_NAMES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)
RENDER_ORDER = (
    "QueueArn",
    *COUNT_NAMES,
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "Policy",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
)
READABLE = frozenset(RENDER_ORDER)

_SSE_CONFLICT = (
    "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
)


@dataclass
class AttributeUpdate:
    """What a request asks to change: canonical value per attribute, None to remove it."""

    values: dict[str, str | None] = field(default_factory=dict)
    redrive_raw: str | None = None
    redrive: RedrivePolicy | None = None


def initial_attributes(fifo: bool) -> dict[str, str]:
    attributes = dict(STANDARD_DEFAULTS)
    if fifo:
        attributes.update(FIFO_DEFAULTS)
    return attributes


def requested_fifo(requested: Mapping[str, str]) -> bool:
    """Whether a CreateQueue asks for a FIFO queue (FifoQueue must then be a boolean)."""
    value = requested.get("FifoQueue")
    if value is None:
        return False
    return _boolean("FifoQueue", value) == "true"


def parse_update(requested: Mapping[str, str], fifo: bool, creating: bool) -> AttributeUpdate:
    update = AttributeUpdate()
    for name, value in requested.items():
        if name not in SETTABLE or (name in FIFO_ONLY and not fifo):
            if name == "FifoQueue" and creating and _boolean(name, value) == "false":
                continue
            raise unknown_attribute(name)
        if name == "FifoQueue" and not creating:
            raise invalid_attribute_value("FifoQueue", "Modifying queue type is not supported.")
        if name == "RedrivePolicy" and value != "":
            update.redrive_raw = value
            update.redrive = parse_redrive_policy(value)
            update.values[name] = update.redrive.render()
            continue
        update.values[name] = _canonical(name, value)
    values = update.values
    if values.get("KmsMasterKeyId") and values.get("SqsManagedSseEnabled") == "true":
        raise sqs_error("InvalidAttributeName", _SSE_CONFLICT)
    return update


def apply_update(current: Mapping[str, str], update: AttributeUpdate) -> dict[str, str]:
    attributes = dict(current)
    for name, value in update.values.items():
        if value is None:
            attributes.pop(name, None)
        else:
            attributes[name] = value
    changes = update.values
    if changes.get("KmsMasterKeyId"):
        attributes["SqsManagedSseEnabled"] = "false"
        attributes.setdefault("KmsDataKeyReusePeriodSeconds", DEFAULT_KMS_REUSE_SECONDS)
    elif changes.get("SqsManagedSseEnabled") == "true" or ("KmsMasterKeyId" in changes):
        attributes.pop("KmsMasterKeyId", None)
        attributes.pop("KmsDataKeyReusePeriodSeconds", None)
    if (
        attributes.get("FifoThroughputLimit") == "perMessageGroupId"
        and attributes.get("DeduplicationScope") != "messageGroup"
    ):
        raise invalid_attribute_value(
            "FifoThroughputLimit",
            "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.",
        )
    return attributes


def conflicting_attribute(current: Mapping[str, str], update: AttributeUpdate) -> str | None:
    """For CreateQueue on an existing name: the first requested attribute whose value differs."""
    for name, value in update.values.items():
        existing = current.get(name)
        if name == "Policy" and value is not None and existing is not None:
            if orjson.loads(value) != orjson.loads(existing):
                return name
        elif existing != value:
            return name
    return None


def render(
    names: Iterable[str],
    stored: Mapping[str, str],
    computed: Callable[[str], str | None],
) -> dict[str, str]:
    """GetQueueAttributes' answer for the requested names ("All" meaning every one)."""
    wanted = set(names)
    if "All" in wanted:
        wanted = set(READABLE)
    out: dict[str, str] = {}
    for name in RENDER_ORDER:
        if name not in wanted:
            continue
        value = stored.get(name)
        if value is None:
            value = computed(name)
        if value is not None:
            out[name] = value
    return out


def check_readable(names: Iterable[str]) -> None:
    for name in names:
        if name != "All" and name not in READABLE:
            raise unknown_attribute(name)


def _canonical(name: str, value: str) -> str | None:
    if name in INTEGER_RANGES:
        return _integer(name, value)
    if name in BOOLEANS:
        return _boolean(name, value)
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise invalid_attribute_value(name)
        return value
    if value == "":
        return None
    if name == "Policy":
        _check_policy(value)
    elif name == "RedriveAllowPolicy":
        return parse_redrive_allow_policy(value).render()
    return value


def _integer(name: str, value: str) -> str:
    low, high = INTEGER_RANGES[name]
    text = value.strip()
    if not text.lstrip("+-").isdigit():
        raise invalid_attribute_value(name)
    number = int(text)
    if not low <= number <= high:
        raise invalid_attribute_value(name)
    return str(number)


def _boolean(name: str, value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise invalid_attribute_value(name)
    return lowered


def _check_policy(value: str) -> None:
    try:
        document: Any = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise invalid_attribute_value("Policy") from None
    if not isinstance(document, dict):
        raise invalid_attribute_value("Policy")
