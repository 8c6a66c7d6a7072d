"""Delivery policies: how SNS retries a failed delivery ("Amazon SNS message delivery retries").

Every policy has four phases after the first attempt: retries with no delay, retries
`minDelayTarget` apart, a back-off phase that climbs from `minDelayTarget` to `maxDelayTarget`
along the `backoffFunction`, and retries `maxDelayTarget` apart, `numRetries` in all.

- AWS managed endpoints (SQS, Lambda, Firehose): 3 immediate, 2 one second apart, 10 with
  exponential back-off from 1 to 20 seconds, then 100,000 twenty seconds apart (23 days).
  No one can change it.
- HTTP/S: the subscription's `DeliveryPolicy` (or the topic's `http` defaults), by default
  3 retries 20 seconds apart; at most 100 retries and 3,600 seconds in all.

AWS draws the four back-off curves but does not publish their formulas. Here, with `t` going
from 0 (first back-off retry) to 1 (last), the delay is `min + (max - min) * f(t)`:
linear f(t) = t, arithmetic f(t) = t^2, geometric f(t) = sqrt(t), and exponential
`min * (max / min) ** t`. No jitter is added, so retries are predictable under a virtual clock.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from postoffice.protocol.errors import ServiceError
from postoffice.services.sns.errors import invalid_parameter

MAX_RETRIES = 100
MAX_DELAY = 3600
MAX_TOTAL_SECONDS = 3600
DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8"
BACKOFF_FUNCTIONS = ("linear", "arithmetic", "geometric", "exponential")
HTTP_PROTOCOLS = frozenset({"http", "https"})

_RETRY_FIELDS = (
    ("minDelayTarget", "min_delay"),
    ("maxDelayTarget", "max_delay"),
    ("numRetries", "num_retries"),
    ("numNoDelayRetries", "num_no_delay"),
    ("numMinDelayRetries", "num_min_delay"),
    ("numMaxDelayRetries", "num_max_delay"),
)


@dataclass(frozen=True)
class RetryPolicy:
    min_delay: int = 20
    max_delay: int = 20
    num_retries: int = 3
    num_no_delay: int = 0
    num_min_delay: int = 0
    num_max_delay: int = 0
    backoff: str = "linear"

    @property
    def num_backoff(self) -> int:
        return max(0, self.num_retries - self.num_no_delay - self.num_min_delay - self.num_max_delay)

    def delay(self, retry: int) -> float | None:
        """Seconds to wait before retry number `retry` (1-based); None once retries are exhausted."""
        if retry < 1 or retry > self.num_retries:
            return None
        if retry <= self.num_no_delay:
            return 0.0
        step = retry - self.num_no_delay
        if step <= self.num_min_delay:
            return float(self.min_delay)
        step -= self.num_min_delay
        if step <= self.num_backoff:
            return self._backoff(step)
        return float(self.max_delay)

    def _backoff(self, step: int) -> float:
        low, high, count = float(self.min_delay), float(self.max_delay), self.num_backoff
        t = 0.0 if count <= 1 else (step - 1) / (count - 1)
        if self.backoff == "exponential" and low > 0:
            return low * (high / low) ** t
        shape = {"arithmetic": t * t, "geometric": math.sqrt(t)}.get(self.backoff, t)
        return low + (high - low) * shape

    def total_seconds(self) -> float:
        return sum(self.delay(retry) or 0.0 for retry in range(1, self.num_retries + 1))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, attr) for name, attr in _RETRY_FIELDS}
        out["backoffFunction"] = self.backoff
        return out


MANAGED_RETRY = RetryPolicy(
    min_delay=1,
    max_delay=20,
    num_retries=100_015,
    num_no_delay=3,
    num_min_delay=2,
    num_max_delay=100_000,
    backoff="exponential",
)
DEFAULT_HTTP_RETRY = RetryPolicy()


@dataclass(frozen=True)
class HttpPolicy:
    retry: RetryPolicy = DEFAULT_HTTP_RETRY
    max_per_second: int | None = None
    content_type: str = DEFAULT_CONTENT_TYPE


# Validation ------------------------------------------------------------------------------


def _fail(reason: str) -> ServiceError:
    return invalid_parameter(f"Invalid parameter: DeliveryPolicy: {reason}")


def _load(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError:
        raise _fail("failed to parse JSON.") from None
    if not isinstance(document, dict):
        raise _fail("Delivery policy must be a JSON object")
    return document


def _integer(document: dict[str, Any], key: str, path: str) -> int | None:
    value = document.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"{path}.{key} must be an integer")
    return value


def _check_members(document: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in document:
        if key not in allowed:
            raise _fail(f"Unexpected JSON member: {key}")


def _retry_policy(document: Any, path: str) -> RetryPolicy | None:
    if document is None:
        return None
    if not isinstance(document, dict):
        raise _fail(f"{path} must be a JSON object")
    _check_members(document, (*(name for name, _ in _RETRY_FIELDS), "backoffFunction"))
    values: dict[str, Any] = {}
    for name, attr in _RETRY_FIELDS:
        value = _integer(document, name, path)
        if value is not None:
            values[attr] = value
    policy = RetryPolicy(**values)
    backoff = document.get("backoffFunction")
    if backoff is not None:
        if not isinstance(backoff, str) or backoff.lower() not in BACKOFF_FUNCTIONS:
            raise _fail(f"{path}.backoffFunction must be one of {', '.join(BACKOFF_FUNCTIONS)}")
        policy = RetryPolicy(**{**policy.__dict__, "backoff": backoff.lower()})
    _check_retry(policy, path)
    return policy


def _check_retry(policy: RetryPolicy, path: str) -> None:
    if policy.min_delay < 1:
        raise _fail(f"{path}.minDelayTarget must be greater than or equal to 1")
    if policy.max_delay > MAX_DELAY:
        raise _fail(f"{path}.maxDelayTarget must be less than or equal to {MAX_DELAY}")
    if policy.min_delay > policy.max_delay:
        raise _fail(f"{path}.minDelayTarget must be less than or equal to maxDelayTarget")
    if policy.num_retries > MAX_RETRIES:
        raise _fail(f"{path}.numRetries must be less than or equal to {MAX_RETRIES}")
    for name, attr in _RETRY_FIELDS[2:]:
        if getattr(policy, attr) < 0:
            raise _fail(f"{path}.{name} must be greater than or equal to 0")
    if policy.num_no_delay + policy.num_min_delay + policy.num_max_delay > policy.num_retries:
        raise _fail(
            f"{path}.numRetries must be greater than or equal to the sum of numNoDelayRetries, "
            "numMinDelayRetries and numMaxDelayRetries"
        )
    if policy.total_seconds() > MAX_TOTAL_SECONDS:
        raise _fail(f"{path}: the total retry time must be less than or equal to {MAX_TOTAL_SECONDS} seconds")


def _throttle(document: Any, path: str) -> int | None:
    if document is None:
        return None
    if not isinstance(document, dict):
        raise _fail(f"{path} must be a JSON object")
    _check_members(document, ("maxReceivesPerSecond",))
    rate = _integer(document, "maxReceivesPerSecond", path)
    if rate is not None and rate < 1:
        raise _fail(f"{path}.maxReceivesPerSecond must be greater than or equal to 1")
    return rate


def _content_type(document: Any, path: str) -> str | None:
    if document is None:
        return None
    if not isinstance(document, dict):
        raise _fail(f"{path} must be a JSON object")
    _check_members(document, ("headerContentType",))
    value = document.get("headerContentType")
    if value is not None and (not isinstance(value, str) or not value):
        raise _fail(f"{path}.headerContentType must be a non-empty string")
    return value


@dataclass(frozen=True)
class TopicHttpDefaults:
    retry: RetryPolicy | None = None
    max_per_second: int | None = None
    content_type: str | None = None
    disable_overrides: bool = False


def check_topic_policy(text: str) -> dict[str, TopicHttpDefaults]:
    """A topic's DeliveryPolicy: `{"http": {"defaultHealthyRetryPolicy": ..., ...}}`."""
    if not text:
        return {}
    document = _load(text)
    _check_members(document, ("http", "https"))
    out: dict[str, TopicHttpDefaults] = {}
    for protocol, section in document.items():
        if section is None:
            continue
        if not isinstance(section, dict):
            raise _fail(f"{protocol} must be a JSON object")
        _check_members(
            section,
            (
                "defaultHealthyRetryPolicy", "sicklyRetryPolicy", "defaultSicklyRetryPolicy",
                "disableSubscriptionOverrides", "defaultThrottlePolicy", "defaultRequestPolicy",
            ),
        )  # fmt: skip
        disable = section.get("disableSubscriptionOverrides", False)
        if not isinstance(disable, bool):
            raise _fail(f"{protocol}.disableSubscriptionOverrides must be a boolean")
        out[protocol] = TopicHttpDefaults(
            retry=_retry_policy(section.get("defaultHealthyRetryPolicy"), f"{protocol}.defaultHealthyRetryPolicy"),
            max_per_second=_throttle(section.get("defaultThrottlePolicy"), f"{protocol}.defaultThrottlePolicy"),
            content_type=_content_type(section.get("defaultRequestPolicy"), f"{protocol}.defaultRequestPolicy"),
            disable_overrides=disable,
        )
    return out


@dataclass(frozen=True)
class SubscriptionHttpPolicy:
    retry: RetryPolicy | None = None
    max_per_second: int | None = None
    content_type: str | None = None


def check_subscription_policy(text: str) -> SubscriptionHttpPolicy:
    """A subscription's DeliveryPolicy: `{"healthyRetryPolicy": ..., "throttlePolicy": ..., ...}`."""
    if not text:
        return SubscriptionHttpPolicy()
    document = _load(text)
    _check_members(document, ("healthyRetryPolicy", "sicklyRetryPolicy", "throttlePolicy", "requestPolicy"))
    return SubscriptionHttpPolicy(
        retry=_retry_policy(document.get("healthyRetryPolicy"), "healthyRetryPolicy"),
        max_per_second=_throttle(document.get("throttlePolicy"), "throttlePolicy"),
        content_type=_content_type(document.get("requestPolicy"), "requestPolicy"),
    )


# Effective policies ------------------------------------------------------------------------


def _topic_defaults(topic_policy: str, protocol: str) -> TopicHttpDefaults:
    sections = check_topic_policy(topic_policy) if topic_policy else {}
    return sections.get(protocol) or sections.get("http") or TopicHttpDefaults()


def effective_http_policy(topic_policy: str, subscription_policy: str, protocol: str) -> HttpPolicy:
    """What one HTTP/S subscription gets: its own policy over the topic's defaults over AWS's."""
    topic = _topic_defaults(topic_policy, protocol)
    own = SubscriptionHttpPolicy() if topic.disable_overrides else check_subscription_policy(subscription_policy)
    return HttpPolicy(
        retry=own.retry or topic.retry or DEFAULT_HTTP_RETRY,
        max_per_second=own.max_per_second or topic.max_per_second,
        content_type=own.content_type or topic.content_type or DEFAULT_CONTENT_TYPE,
    )


def topic_effective_policy(topic_policy: str) -> str:
    """The topic's EffectiveDeliveryPolicy attribute."""
    defaults = _topic_defaults(topic_policy, "http")
    http: dict[str, Any] = {
        "defaultHealthyRetryPolicy": (defaults.retry or DEFAULT_HTTP_RETRY).to_json(),
        "disableSubscriptionOverrides": defaults.disable_overrides,
    }
    if defaults.max_per_second is not None:
        http["defaultThrottlePolicy"] = {"maxReceivesPerSecond": defaults.max_per_second}
    http["defaultRequestPolicy"] = {"headerContentType": defaults.content_type or DEFAULT_CONTENT_TYPE}
    return json.dumps({"http": http}, separators=(",", ":"))


def subscription_effective_policy(topic_policy: str, subscription_policy: str, protocol: str) -> str:
    """An HTTP/S subscription's EffectiveDeliveryPolicy attribute."""
    policy = effective_http_policy(topic_policy, subscription_policy, protocol)
    throttle = None if policy.max_per_second is None else {"maxReceivesPerSecond": policy.max_per_second}
    document = {
        "healthyRetryPolicy": policy.retry.to_json(),
        "sicklyRetryPolicy": None,
        "throttlePolicy": throttle,
        "requestPolicy": {"headerContentType": policy.content_type},
        "guaranteed": False,
    }
    return json.dumps(document, separators=(",", ":"))
