"""Delivery beyond the happy path: dead-letter queues (as AWS writes their messages), queues in
other regions and accounts, Lambda subscribers with the event AWS sends them, EventBridge
rules targeting a topic, and the recorded protocols."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from test_sns_publish import make_queue, nothing_more, receive, string
from test_sns_subscriptions import recorded

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures", "lambda"))

from lambda_support import create_function, wait_for  # noqa: E402

ACCOUNT = "000000000000"


def test_a_deleted_queue_sends_the_message_to_the_dead_letter_queue_at_once(virtual_server: Any) -> None:
    sns, sqs = virtual_server.client("sns"), virtual_server.client("sqs")
    target_url, target_arn = make_queue(sqs, "gone")
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    topic = sns.create_topic(Name="orders")["TopicArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=target_arn, Attributes={"RedrivePolicy": redrive})
    sqs.delete_queue(QueueUrl=target_url)
    published = sns.publish(TopicArn=topic, Message="lost?", MessageAttributes={"k": string("v")})
    [dead] = receive(sqs, dlq_url, 1)
    envelope = json.loads(dead["Body"])
    assert envelope["MessageId"] == published["MessageId"]
    assert envelope["Message"] == "lost?" and envelope["TopicArn"] == topic
    assert envelope["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert nothing_more(sqs, dlq_url)


def test_raw_delivery_dead_letters_the_body_with_its_attributes(virtual_server: Any) -> None:
    sns, sqs = virtual_server.client("sns"), virtual_server.client("sqs")
    target_url, target_arn = make_queue(sqs, "gone-raw")
    dlq_url, dlq_arn = make_queue(sqs, "dlq-raw")
    topic = sns.create_topic(Name="raw-orders")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=target_arn,
        Attributes={"RawMessageDelivery": "true", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
    )
    sqs.delete_queue(QueueUrl=target_url)
    sns.publish(TopicArn=topic, Message="raw body", MessageAttributes={"k": string("v")})
    [dead] = receive(sqs, dlq_url, 1)
    assert dead["Body"] == "raw body"
    assert dead["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}


def test_fifo_subscription_dead_letters_to_a_fifo_queue_with_its_group(virtual_server: Any) -> None:
    sns, sqs = virtual_server.client("sns"), virtual_server.client("sqs")
    target_url, target_arn = make_queue(sqs, "gone.fifo")
    dlq_url, dlq_arn = make_queue(sqs, "dlq.fifo")
    topic = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=target_arn,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
    )
    sqs.delete_queue(QueueUrl=target_url)
    sns.publish(TopicArn=topic, Message="job", MessageGroupId="g1", MessageDeduplicationId="job-1")
    [dead] = receive(sqs, dlq_url, 1)
    assert json.loads(dead["Body"])["Message"] == "job"
    assert dead["Attributes"]["MessageGroupId"] == "g1"
    assert dead["Attributes"]["MessageDeduplicationId"] == "job-1"


def test_without_a_dead_letter_queue_the_message_is_dropped(virtual_server: Any) -> None:
    sns, sqs = virtual_server.client("sns"), virtual_server.client("sqs")
    gone_url, gone_arn = make_queue(sqs, "gone-for-good")
    alive_url, alive_arn = make_queue(sqs, "alive")
    topic = sns.create_topic(Name="mixed")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=alive_arn)
    sqs.delete_queue(QueueUrl=gone_url)
    sns.publish(TopicArn=topic, Message="still delivered to the living")
    [message] = receive(sqs, alive_url, 1)
    assert json.loads(message["Body"])["Message"] == "still delivered to the living"


def test_queue_in_another_region_and_account(server: Any) -> None:
    sns = server.client("sns")
    west = server.client("sqs", region="us-west-2")
    other_account = server.client("sqs", aws_access_key_id="111122223333")
    west_url, west_arn = make_queue(west, "west-queue")
    other_url, other_arn = make_queue(other_account, "their-queue")
    assert ":us-west-2:" in west_arn and ":111122223333:" in other_arn
    topic = sns.create_topic(Name="global")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=west_arn, Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=other_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="everywhere")
    assert [m["Body"] for m in receive(west, west_url, 1)] == ["everywhere"]
    assert [m["Body"] for m in receive(other_account, other_url, 1)] == ["everywhere"]


def test_lambda_subscriber_gets_the_sns_event(server: Any) -> None:
    sns, sqs, lam = server.client("sns"), server.client("sqs"), server.client("lambda")
    results_url, results_arn = make_queue(sqs, "lambda-results")
    create_function(server.client, "on-order")
    lam.put_function_event_invoke_config(
        FunctionName="on-order", DestinationConfig={"OnSuccess": {"Destination": results_arn}}
    )
    function_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:on-order"
    topic = sns.create_topic(Name="to-lambda")["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)["SubscriptionArn"]
    published = sns.publish(
        TopicArn=topic, Message="hello lambda", MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}}
    )
    messages = wait_for(
        lambda: sqs.receive_message(QueueUrl=results_url, WaitTimeSeconds=1).get("Messages"), timeout=60
    )
    record = json.loads(messages[0]["Body"])
    event = record["requestPayload"]
    assert list(event) == ["Records"] and len(event["Records"]) == 1
    [entry] = event["Records"]
    assert entry["EventSource"] == "aws:sns" and entry["EventVersion"] == "1.0"
    assert entry["EventSubscriptionArn"] == subscription
    sns_part = entry["Sns"]
    assert sns_part["Type"] == "Notification"
    assert sns_part["MessageId"] == published["MessageId"]
    assert sns_part["TopicArn"] == topic and sns_part["Message"] == "hello lambda"
    assert sns_part["Subject"] is None
    assert sns_part["SignatureVersion"] == "1" and sns_part["Signature"]
    assert sns_part["SigningCertUrl"].endswith(".pem") and "Action=Unsubscribe" in sns_part["UnsubscribeUrl"]
    assert sns_part["MessageAttributes"] == {"n": {"Type": "Number", "Value": "7"}}
    assert record["responsePayload"]["event"] == event


def test_missing_lambda_function_goes_to_the_dead_letter_queue(virtual_server: Any) -> None:
    sns, sqs = virtual_server.client("sns"), virtual_server.client("sqs")
    dlq_url, dlq_arn = make_queue(sqs, "lambda-dlq")
    topic = sns.create_topic(Name="to-nowhere")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:never-created",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
    )
    sns.publish(TopicArn=topic, Message="nobody home")
    [dead] = receive(sqs, dlq_url, 1)
    assert json.loads(dead["Body"])["Message"] == "nobody home"


def test_eventbridge_rule_publishes_to_a_topic(server: Any) -> None:
    sns, sqs, events = server.client("sns"), server.client("sqs"), server.client("events")
    url, arn = make_queue(sqs, "from-events")
    topic = sns.create_topic(Name="from-rules")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    events.put_rule(Name="to-sns", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="to-sns", Targets=[{"Id": "topic", "Arn": topic}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "Sale", "Detail": json.dumps({"n": 1})}])
    [message] = receive(sqs, url, 1, timeout=10)
    event = json.loads(json.loads(message["Body"])["Message"])
    assert event["source"] == "shop" and event["detail"] == {"n": 1}


def test_firehose_and_email_json_deliveries_are_recorded(server: Any) -> None:
    sns = server.client("sns")
    topic = sns.create_topic(Name="recorded")["TopicArn"]
    firehose = f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/stream"
    sns.subscribe(
        TopicArn=topic,
        Protocol="firehose",
        Endpoint=firehose,
        Attributes={"SubscriptionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/firehose"},
    )
    sns.publish(TopicArn=topic, Message="to the stream")
    deadline = time.monotonic() + 5
    while not recorded(server, Protocol="firehose") and time.monotonic() < deadline:
        time.sleep(0.05)
    [entry] = recorded(server, Protocol="firehose")
    assert entry["Endpoint"] == firehose and entry["Message"] == "to the stream"
    assert json.loads(entry["Body"])["Message"] == "to the stream"
    assert server.admin("GET", "sns/deliveries?Protocol=email")["deliveries"] == []
