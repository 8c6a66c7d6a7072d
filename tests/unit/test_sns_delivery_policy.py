"""SNS delivery policies: the retry schedules, their limits, and the effective policy."""

from __future__ import annotations

import json

import pytest

from postoffice.protocol.errors import ServiceError
from postoffice.services.sns.delivery_policy import (
    DEFAULT_HTTP_RETRY,
    MANAGED_RETRY,
    RetryPolicy,
    check_subscription_policy,
    check_topic_policy,
    effective_http_policy,
    subscription_effective_policy,
    topic_effective_policy,
)


def schedule(policy: RetryPolicy) -> list[float]:
    delays = []
    retry = 1
    while (delay := policy.delay(retry)) is not None:
        delays.append(round(delay, 3))
        retry += 1
    return delays


def test_default_http_policy_is_three_retries_twenty_seconds_apart() -> None:
    assert schedule(DEFAULT_HTTP_RETRY) == [20.0, 20.0, 20.0]


def test_managed_policy_phases() -> None:
    assert [MANAGED_RETRY.delay(retry) for retry in (1, 2, 3)] == [0.0, 0.0, 0.0]
    assert [MANAGED_RETRY.delay(retry) for retry in (4, 5)] == [1.0, 1.0]
    backoff = [MANAGED_RETRY.delay(retry) for retry in range(6, 16)]
    assert backoff[0] == pytest.approx(1.0) and backoff[-1] == pytest.approx(20.0)
    assert backoff == sorted(backoff)
    assert MANAGED_RETRY.delay(16) == 20.0 and MANAGED_RETRY.delay(100_015) == 20.0
    assert MANAGED_RETRY.delay(100_016) is None
    assert MANAGED_RETRY.total_seconds() / 86_400 == pytest.approx(23.1, abs=0.1)


def test_custom_phases_in_order() -> None:
    policy = RetryPolicy(
        min_delay=2, max_delay=10, num_retries=8, num_no_delay=2, num_min_delay=1, num_max_delay=2, backoff="linear"
    )
    assert schedule(policy) == [0.0, 0.0, 2.0, 2.0, 6.0, 10.0, 10.0, 10.0]


@pytest.mark.parametrize(
    ("backoff", "middle"),
    [("linear", 15.0), ("arithmetic", 10.0), ("geometric", 19.142), ("exponential", 11.18)],
)
def test_backoff_functions_climb_from_min_to_max(backoff: str, middle: float) -> None:
    policy = RetryPolicy(min_delay=5, max_delay=25, num_retries=3, backoff=backoff)
    delays = schedule(policy)
    assert delays[0] == 5.0 and delays[-1] == 25.0
    assert delays[1] == pytest.approx(middle, abs=0.01)


def reason(call: object, text: str) -> str:
    with pytest.raises(ServiceError) as caught:
        call(text)  # type: ignore[operator]
    assert caught.value.code == "InvalidParameterException"
    return caught.value.message


def test_topic_policy_checks() -> None:
    assert reason(check_topic_policy, json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 101}}})) == (
        "Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100"
    )
    assert reason(check_topic_policy, json.dumps({"sqs": {}})) == (
        "Invalid parameter: DeliveryPolicy: Unexpected JSON member: sqs"
    )
    assert "minDelayTarget" in reason(
        check_topic_policy, json.dumps({"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 0}}})
    )
    assert "maxDelayTarget" in reason(
        check_topic_policy, json.dumps({"http": {"defaultHealthyRetryPolicy": {"maxDelayTarget": 3601}}})
    )
    assert "sum" in reason(
        check_topic_policy,
        json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 2, "numNoDelayRetries": 3}}}),
    )
    assert "3600" in reason(
        check_topic_policy,
        json.dumps(
            {"http": {"defaultHealthyRetryPolicy": {"numRetries": 100, "minDelayTarget": 40, "maxDelayTarget": 40}}}
        ),
    )
    assert "backoffFunction" in reason(
        check_topic_policy, json.dumps({"http": {"defaultHealthyRetryPolicy": {"backoffFunction": "cubic"}}})
    )
    assert (
        reason(check_topic_policy, "[]") == "Invalid parameter: DeliveryPolicy: Delivery policy must be a JSON object"
    )


def test_subscription_policy_checks() -> None:
    assert reason(check_subscription_policy, json.dumps({"throttlePolicy": {"maxReceivesPerSecond": 0}})) == (
        "Invalid parameter: DeliveryPolicy: throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1"
    )
    assert reason(check_subscription_policy, json.dumps({"http": {}})) == (
        "Invalid parameter: DeliveryPolicy: Unexpected JSON member: http"
    )
    policy = check_subscription_policy(
        json.dumps({"healthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 1, "maxDelayTarget": 1}})
    )
    assert policy.retry == RetryPolicy(min_delay=1, max_delay=1, num_retries=1)


def test_effective_policy_layers_subscription_over_topic_over_defaults() -> None:
    topic = json.dumps(
        {
            "http": {
                "defaultHealthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 1, "maxDelayTarget": 2},
                "defaultRequestPolicy": {"headerContentType": "application/json"},
            }
        }
    )
    own = json.dumps({"throttlePolicy": {"maxReceivesPerSecond": 3}})
    policy = effective_http_policy(topic, own, "https")
    assert policy.retry.num_retries == 5 and policy.max_per_second == 3
    assert policy.content_type == "application/json"
    overriding = json.dumps({"healthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 1, "maxDelayTarget": 1}})
    assert effective_http_policy(topic, overriding, "http").retry.num_retries == 1
    locked = json.dumps(
        {"http": {"defaultHealthyRetryPolicy": {"numRetries": 7}, "disableSubscriptionOverrides": True}}
    )
    assert effective_http_policy(locked, overriding, "http").retry.num_retries == 7
    assert effective_http_policy("", "", "http").retry == DEFAULT_HTTP_RETRY


def test_effective_policy_documents() -> None:
    document = json.loads(topic_effective_policy(""))
    assert document["http"]["disableSubscriptionOverrides"] is False
    assert document["http"]["defaultRequestPolicy"] == {"headerContentType": "text/plain; charset=UTF-8"}
    subscription = json.loads(subscription_effective_policy("", "", "http"))
    assert subscription["sicklyRetryPolicy"] is None and subscription["throttlePolicy"] is None
    assert subscription["guaranteed"] is False
    assert subscription["healthyRetryPolicy"]["numRetries"] == 3
