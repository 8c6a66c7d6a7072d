"""SNS subscriptions through boto3: Subscribe per protocol, confirmation, Unsubscribe, the
lists and the attributes (filter policies, raw delivery, redrive and delivery policies)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from test_sns_topics import error_of

ACCOUNT = "000000000000"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:"


@pytest.fixture
def sns(client: Any) -> Any:
    return client("sns")


@pytest.fixture
def topic(sns: Any) -> str:
    return str(sns.create_topic(Name="events")["TopicArn"])


def recorded(server: Any, **filters: str) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode(filters)
    return list(server.admin("GET", f"sns/deliveries?{query}")["deliveries"])


def test_sqs_subscription_is_confirmed_at_once(sns: Any, topic: str) -> None:
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q")["SubscriptionArn"]
    assert arn.startswith(topic + ":") and len(arn.rsplit(":", 1)[1]) == 36
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes == {
        "ConfirmationWasAuthenticated": "true",
        "PendingConfirmation": "false",
        "Owner": ACCOUNT,
        "RawMessageDelivery": "false",
        "TopicArn": topic,
        "Endpoint": QUEUE_ARN + "q",
        "Protocol": "sqs",
        "SubscriptionPrincipal": f"arn:aws:iam::{ACCOUNT}:root",
        "SubscriptionArn": arn,
    }
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"


def test_subscribing_again_with_the_same_parameters_returns_the_same_arn(sns: Any, topic: str) -> None:
    policy = json.dumps({"color": ["red"]})
    first = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q", Attributes={"FilterPolicy": policy})
    again = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q", Attributes={"FilterPolicy": policy})
    plain = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q")
    assert first["SubscriptionArn"] == again["SubscriptionArn"] == plain["SubscriptionArn"]
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 1
    other = json.dumps({"color": ["blue"]})
    assert error_of(
        sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q", Attributes={"FilterPolicy": other}
    ) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
        400,
    )


def test_email_subscription_waits_for_confirmation(server: Any, sns: Any, topic: str) -> None:
    answer = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    assert answer["SubscriptionArn"] == "pending confirmation"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed[0]["SubscriptionArn"] == "PendingConfirmation"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"
    [mail] = recorded(server, Protocol="email", Type="SubscriptionConfirmation")
    assert mail["Endpoint"] == "ops@example.com" and mail["Token"]
    assert "Action=ConfirmSubscription" in mail["SubscribeURL"]
    confirmed = sns.confirm_subscription(TopicArn=topic, Token=mail["Token"], AuthenticateOnUnsubscribe="true")
    assert confirmed["SubscriptionArn"] == mail["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=confirmed["SubscriptionArn"])["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    again = sns.confirm_subscription(TopicArn=topic, Token=mail["Token"])
    assert again["SubscriptionArn"] == confirmed["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="to the inbox", Subject="Hi")
    mails = recorded(server, Protocol="email", Type="Notification")
    assert [(m["Message"], m["Subject"]) for m in mails] == [("to the inbox", "Hi")]


def test_subscribe_url_confirms_without_credentials(server: Any, sns: Any, topic: str) -> None:
    sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="app@example.com")
    [mail] = recorded(server, Protocol="email-json")
    url = mail["SubscribeURL"].replace("localhost", "127.0.0.1")
    with urllib.request.urlopen(url, timeout=10) as answer:
        body = answer.read().decode()
    assert "<ConfirmSubscriptionResponse" in body and mail["SubscriptionArn"] in body
    attributes = sns.get_subscription_attributes(SubscriptionArn=mail["SubscriptionArn"])["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "false"


def test_return_subscription_arn_for_pending_subscriptions(sns: Any, topic: str) -> None:
    answer = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/hook", ReturnSubscriptionArn=True
    )
    assert answer["SubscriptionArn"].startswith(topic + ":")
    attributes = sns.get_subscription_attributes(SubscriptionArn=answer["SubscriptionArn"])["Attributes"]
    assert attributes["PendingConfirmation"] == "true"
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert effective["healthyRetryPolicy"]["numRetries"] == 3
    assert effective["requestPolicy"] == {"headerContentType": "text/plain; charset=UTF-8"}


def test_confirm_subscription_errors(sns: Any, topic: str) -> None:
    assert error_of(sns.confirm_subscription, TopicArn=topic, Token="0" * 64) == (
        "InvalidParameter",
        "Invalid parameter: Token",
        400,
    )
    assert error_of(sns.confirm_subscription, TopicArn="nope", Token="x")[1] == "Invalid parameter: Topic"


@pytest.mark.parametrize(
    ("protocol", "endpoint", "message"),
    [
        ("carrier-pigeon", "x", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"),
        ("http", "https://example.com", "Invalid parameter: Endpoint must match the specified protocol"),
        ("https", "ftp://example.com", "Invalid parameter: Endpoint must match the specified protocol"),
        ("sqs", "my-queue", "Invalid parameter: SQS endpoint ARN"),
        ("lambda", QUEUE_ARN + "q", "Invalid parameter: Lambda endpoint ARN"),
        ("email", "not-an-address", "Invalid parameter: Email address"),
        ("sms", "call me", "Invalid SMS endpoint: call me"),
        (
            "sqs",
            QUEUE_ARN + "q.fifo",
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to "
            "standard SNS topics",
        ),
    ],
)
def test_subscribe_checks_the_endpoint(sns: Any, topic: str, protocol: str, endpoint: str, message: str) -> None:
    assert error_of(sns.subscribe, TopicArn=topic, Protocol=protocol, Endpoint=endpoint) == (
        "InvalidParameter",
        message,
        400,
    )


def test_subscribe_to_a_missing_topic(sns: Any) -> None:
    missing = f"arn:aws:sns:us-east-1:{ACCOUNT}:missing"
    assert error_of(sns.subscribe, TopicArn=missing, Protocol="sqs", Endpoint=QUEUE_ARN + "q") == (
        "NotFound",
        "Topic does not exist",
        404,
    )


def test_fifo_topics_take_only_sqs_subscriptions(sns: Any) -> None:
    fifo = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    assert sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=QUEUE_ARN + "jobs.fifo")["SubscriptionArn"]
    assert sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=QUEUE_ARN + "standard")["SubscriptionArn"]
    code, _, _ = error_of(sns.subscribe, TopicArn=fifo, Protocol="email", Endpoint="a@example.com")
    assert code == "InvalidParameter"
    redrive = json.dumps({"deadLetterTargetArn": QUEUE_ARN + "dlq"})
    assert error_of(
        sns.subscribe,
        TopicArn=fifo,
        Protocol="sqs",
        Endpoint=QUEUE_ARN + "other.fifo",
        Attributes={"RedrivePolicy": redrive},
    )[1] == (
        "Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription "
        "to a FIFO Topic."
    )


def test_subscription_attributes_are_checked(sns: Any, topic: str) -> None:
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q")["SubscriptionArn"]
    cases = [
        ("Unknown", "x", "Invalid parameter: AttributeName"),
        (
            "RawMessageDelivery",
            "maybe",
            "Invalid parameter: RawMessageDelivery: Invalid value [maybe]. Must be true or false.",
        ),
        (
            "FilterPolicyScope",
            "Headers",
            "Invalid parameter: FilterPolicyScope: Invalid value [Headers]. Please use either MessageBody or "
            "MessageAttributes",
        ),
        ("FilterPolicy", "{oops", "Invalid parameter: FilterPolicy: failed to parse JSON."),
        (
            "RedrivePolicy",
            json.dumps({"deadLetterTargetArn": "nope"}),
            "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn",
        ),
        (
            "DeliveryPolicy",
            json.dumps({"healthyRetryPolicy": {}}),
            "Invalid parameter: Delivery protocol [sqs] does not support delivery policies.",
        ),
    ]
    for name, value, message in cases:
        assert error_of(
            sns.set_subscription_attributes, SubscriptionArn=arn, AttributeName=name, AttributeValue=value
        ) == ("InvalidParameter", message, 400), name


def test_filter_policy_errors_name_the_reason(sns: Any, topic: str) -> None:
    nested = json.dumps({"order": {"total": [{"numeric": [">", 10]}]}})
    assert error_of(
        sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q", Attributes={"FilterPolicy": nested}
    )[1] == (
        "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter "
        "policy"
    )
    arn = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=QUEUE_ARN + "q",
        Attributes={"FilterPolicy": nested, "FilterPolicyScope": "MessageBody"},
    )["SubscriptionArn"]
    assert error_of(
        sns.set_subscription_attributes,
        SubscriptionArn=arn,
        AttributeName="FilterPolicyScope",
        AttributeValue="MessageAttributes",
    )[1] == ("Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy")
    six_keys = json.dumps({f"k{index}": ["v"] for index in range(6)})
    code, message, _ = error_of(
        sns.set_subscription_attributes, SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=six_keys
    )
    assert (
        code == "InvalidParameter"
        and message == "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"
    )
    bad_operator = json.dumps({"price": [{"numeric": ["<>", 1]}]})
    code, message, _ = error_of(
        sns.set_subscription_attributes, SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=bad_operator
    )
    assert code == "InvalidParameter" and message.startswith("Invalid parameter: FilterPolicy: ")


def test_set_and_clear_subscription_attributes(sns: Any, topic: str) -> None:
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q")["SubscriptionArn"]
    policy = json.dumps({"store": ["example_corp"]})
    redrive = json.dumps({"deadLetterTargetArn": QUEUE_ARN + "dlq"})
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=policy)
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="TRUE")
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RedrivePolicy", AttributeValue=redrive)
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["FilterPolicy"] == policy
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    assert attributes["RawMessageDelivery"] == "true"
    assert attributes["RedrivePolicy"] == redrive
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue="")
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert "FilterPolicy" not in attributes and "FilterPolicyScope" not in attributes


def test_raw_delivery_is_refused_for_protocols_without_it(sns: Any, topic: str) -> None:
    code, message, _ = error_of(
        sns.subscribe,
        TopicArn=topic,
        Protocol="email",
        Endpoint="a@example.com",
        Attributes={"RawMessageDelivery": "true"},
    )
    assert (code, message) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Delivery protocol [email] does not support raw message delivery.",
    )


def test_http_delivery_policy_shows_in_the_effective_policy(sns: Any, topic: str) -> None:
    policy = {
        "healthyRetryPolicy": {
            "numRetries": 4,
            "minDelayTarget": 1,
            "maxDelayTarget": 8,
            "backoffFunction": "exponential",
        },
        "throttlePolicy": {"maxReceivesPerSecond": 5},
        "requestPolicy": {"headerContentType": "application/json"},
    }
    arn = sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint="http://127.0.0.1:9/hook",
        Attributes={"DeliveryPolicy": json.dumps(policy)},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    effective = json.loads(
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["EffectiveDeliveryPolicy"]
    )
    assert effective["healthyRetryPolicy"]["numRetries"] == 4
    assert effective["healthyRetryPolicy"]["backoffFunction"] == "exponential"
    assert effective["throttlePolicy"] == {"maxReceivesPerSecond": 5}
    assert effective["requestPolicy"] == {"headerContentType": "application/json"}
    too_long = json.dumps({"healthyRetryPolicy": {"numRetries": 100, "minDelayTarget": 60, "maxDelayTarget": 60}})
    code, message, _ = error_of(
        sns.set_subscription_attributes, SubscriptionArn=arn, AttributeName="DeliveryPolicy", AttributeValue=too_long
    )
    assert code == "InvalidParameter" and message.startswith("Invalid parameter: DeliveryPolicy: ")


def test_unsubscribe(sns: Any, topic: str) -> None:
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "q")["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert error_of(sns.get_subscription_attributes, SubscriptionArn=arn) == (
        "NotFound",
        "Subscription does not exist",
        404,
    )
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsDeleted"] == "1"
    sns.unsubscribe(SubscriptionArn=arn)  # idempotent
    assert error_of(sns.unsubscribe, SubscriptionArn="nonsense") == (
        "InvalidParameter",
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1",
        400,
    )
    assert error_of(sns.unsubscribe, SubscriptionArn=topic)[1] == "Invalid parameter: SubscriptionId"


def test_list_subscriptions_pages_by_100(sns: Any, topic: str) -> None:
    other = sns.create_topic(Name="other")["TopicArn"]
    for index in range(120):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"{QUEUE_ARN}q{index}")
    sns.subscribe(TopicArn=other, Protocol="sqs", Endpoint=QUEUE_ARN + "elsewhere")
    first = sns.list_subscriptions_by_topic(TopicArn=topic)
    assert len(first["Subscriptions"]) == 100 and first["NextToken"]
    second = sns.list_subscriptions_by_topic(TopicArn=topic, NextToken=first["NextToken"])
    assert len(second["Subscriptions"]) == 20 and "NextToken" not in second
    assert {s["TopicArn"] for s in first["Subscriptions"] + second["Subscriptions"]} == {topic}
    everything = [s for page in sns.get_paginator("list_subscriptions").paginate() for s in page["Subscriptions"]]
    assert len(everything) == 121
    entry = next(s for s in everything if s["TopicArn"] == other)
    assert entry == {
        "SubscriptionArn": entry["SubscriptionArn"],
        "Owner": ACCOUNT,
        "Protocol": "sqs",
        "Endpoint": QUEUE_ARN + "elsewhere",
        "TopicArn": other,
    }


def test_unsubscribe_url_from_a_notification_unsubscribes(server: Any, sns: Any, topic: str) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName="leaving")["QueueUrl"]
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE_ARN + "leaving")["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="bye")
    messages: list[dict[str, Any]] = []
    for _ in range(100):
        messages = sqs.receive_message(QueueUrl=url).get("Messages", [])
        if messages:
            break
    unsubscribe = json.loads(messages[0]["Body"])["UnsubscribeURL"].replace("localhost", "127.0.0.1")
    with urllib.request.urlopen(unsubscribe, timeout=10) as answer:
        assert b"<UnsubscribeResponse" in answer.read()
    assert error_of(sns.get_subscription_attributes, SubscriptionArn=arn)[0] == "NotFound"


def test_authenticate_on_unsubscribe_refuses_anonymous_unsubscribes(server: Any, sns: Any, topic: str) -> None:
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="careful@example.com")
    [mail] = recorded(server, Protocol="email")
    arn = sns.confirm_subscription(TopicArn=topic, Token=mail["Token"], AuthenticateOnUnsubscribe="true")[
        "SubscriptionArn"
    ]
    anonymous = f"{server.endpoint}/?Action=Unsubscribe&SubscriptionArn={arn}&Version=2010-03-31"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=10)
    assert refused.value.code == 403
    assert b"<Code>AuthorizationError</Code>" in refused.value.read()
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions()["Subscriptions"] == []
