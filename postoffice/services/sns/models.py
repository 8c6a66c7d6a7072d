"""SNS's control-plane records, as kept in the store's record tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from postoffice.services.sns.arns import FIFO_SUFFIX


@dataclass
class Topic:
    name: str
    arn: str
    owner: str
    created: float
    attributes: dict[str, str] = field(default_factory=dict)  # as set by CreateTopic / SetTopicAttributes
    tags: dict[str, str] = field(default_factory=dict)
    data_protection_policy: str = ""
    subscriptions_deleted: int = 0

    @property
    def fifo(self) -> bool:
        return self.name.endswith(FIFO_SUFFIX)

    @property
    def content_based_deduplication(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication", "false").lower() == "true"

    @property
    def signature_version(self) -> str:
        return self.attributes.get("SignatureVersion") or "1"


@dataclass
class Subscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    principal: str
    created: float
    attributes: dict[str, str] = field(default_factory=dict)  # FilterPolicy, RawMessageDelivery, ...
    pending: bool = False
    token: str = ""
    confirmation_authenticated: bool = False
    authenticate_on_unsubscribe: bool = False

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery", "false").lower() == "true"


@dataclass
class PlatformApplication:
    arn: str
    name: str
    platform: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class PlatformEndpoint:
    arn: str
    application_arn: str
    token: str
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true").lower() == "true"


@dataclass
class Unsubscribed:
    """An HTTP/S subscription deleted by Unsubscribe: its UnsubscribeConfirmation token restores it."""

    token: str
    subscription: dict[str, Any]  # the deleted Subscription's fields
    deleted: float


@dataclass
class SmsSettings:
    attributes: dict[str, str] = field(default_factory=dict)
    opted_out: list[str] = field(default_factory=list)
    sandbox_numbers: dict[str, str] = field(default_factory=dict)  # number -> Pending | Verified
