"""Topic, subscription and platform ARNs, and how SNS refuses a malformed one."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from postoffice.core.arns import Arn, parse_arn
from postoffice.protocol.errors import ServiceError
from postoffice.services.sns.errors import invalid_parameter

TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
FIFO_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,251}\.fifo")
FIFO_SUFFIX = ".fifo"


@dataclass(frozen=True)
class TopicRef:
    account: str
    region: str
    name: str

    @property
    def arn(self) -> str:
        return topic_arn(self.region, self.account, self.name)

    @property
    def fifo(self) -> bool:
        return self.name.endswith(FIFO_SUFFIX)


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def _element_error(parameter: str, text: str) -> ServiceError:
    count = len(text.split(":"))
    return invalid_parameter(
        f"Invalid parameter: {parameter} Reason: An ARN must have at least 6 elements, not {count}"
    )


def parse_topic_arn(text: str | None, parameter: str = "TopicArn") -> TopicRef:
    """The topic an ARN names; InvalidParameter for anything that cannot name one."""
    text = text or ""
    arn = parse_arn(text)
    if arn is None:
        raise _element_error(parameter, text)
    if arn.service != "sns" or ":" in arn.resource or not arn.resource:
        raise invalid_parameter(f"Invalid parameter: {parameter}")
    return TopicRef(arn.account, arn.region, arn.resource)


def subscription_arn(topic: str) -> str:
    return f"{topic}:{uuid.uuid4()}"


def topic_of_subscription(arn: Arn) -> TopicRef | None:
    """The topic a subscription ARN (`arn:aws:sns:r:a:topic:uuid`) belongs to, or None."""
    name, sep, sub_id = arn.resource.rpartition(":")
    if not sep or not name or not sub_id or ":" in name:
        return None
    return TopicRef(arn.account, arn.region, name)


def application_arn(region: str, account: str, platform: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:app/{platform}/{name}"


def endpoint_arn(application: str, endpoint_id: str) -> str:
    return application.replace(":app/", ":endpoint/", 1) + f"/{endpoint_id}"
