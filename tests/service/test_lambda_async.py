"""Asynchronous invocation (InvocationType Event) on the virtual clock: retries 1 and 2 minutes
apart, MaximumRetryAttempts / MaximumEventAgeInSeconds, destinations, the dead-letter queue."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures", "lambda"))

from lambda_support import create_function, invoke_json, log_messages, wait_for  # noqa: E402
from server import ServerProcess  # noqa: E402

ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def _queue(server: ServerProcess, name: str) -> tuple[str, str]:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _one_message(server: ServerProcess, url: str) -> dict[str, Any]:
    sqs = server.client("sqs")
    messages = wait_for(
        lambda: sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"]).get("Messages"), timeout=30
    )
    assert len(messages) == 1
    return dict(messages[0])


def _async_status(server: ServerProcess) -> dict[str, int]:
    return dict(server.admin("GET", "health")["services"]["lambda"]["asynchronous"])


def _starts(server: ServerProcess, name: str) -> int:
    return sum(1 for m in log_messages(server.client("logs"), f"/aws/lambda/{name}") if m.startswith("START "))


def test_event_invoke_runs_and_reports_success(virtual_server: ServerProcess) -> None:
    server = virtual_server
    url, arn = _queue(server, "successes")
    create_function(server.client, "ok")
    lam = server.client("lambda")
    lam.put_function_event_invoke_config(FunctionName="ok", DestinationConfig={"OnSuccess": {"Destination": arn}})
    response = lam.invoke(FunctionName="ok", InvocationType="Event", Payload=b'{"say": "later"}')
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    record = json.loads(_one_message(server, url)["Body"])
    assert record["version"] == "1.0"
    assert record["requestContext"] == {
        "requestId": response["ResponseMetadata"]["RequestId"],
        "functionArn": ARN + "ok:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"say": "later"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"]["event"] == {"say": "later"}


def test_failures_are_retried_one_then_two_minutes_later(virtual_server: ServerProcess) -> None:
    server = virtual_server
    url, arn = _queue(server, "failures")
    create_function(server.client, "flaky")
    lam = server.client("lambda")
    lam.put_function_event_invoke_config(FunctionName="flaky", DestinationConfig={"OnFailure": {"Destination": arn}})
    started = server.now()
    lam.invoke(FunctionName="flaky", InvocationType="Event", Payload=b'{"fail": "nope"}')
    wait_for(lambda: _async_status(server)["retries_scheduled"] == 1)
    assert _starts(server, "flaky") == 1
    server.advance(60)
    wait_for(lambda: _async_status(server)["retries_scheduled"] == 2)
    assert _starts(server, "flaky") == 2
    server.advance(120)
    record = json.loads(_one_message(server, url)["Body"])
    assert _starts(server, "flaky") == 3
    context = record["requestContext"]
    assert (context["condition"], context["approximateInvokeCount"]) == ("RetriesExhausted", 3)
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "ValueError"
    failed_at = dt.datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    assert round(failed_at.timestamp() - started) == 180


def test_maximum_retry_attempts_and_dead_letter_queue(virtual_server: ServerProcess) -> None:
    server = virtual_server
    dlq_url, dlq_arn = _queue(server, "dead-letters")
    create_function(server.client, "once", DeadLetterConfig={"TargetArn": dlq_arn})
    lam = server.client("lambda")
    lam.put_function_event_invoke_config(FunctionName="once", MaximumRetryAttempts=0)
    response = lam.invoke(FunctionName="once", InvocationType="Event", Payload=b'{"fail": "no retry"}')
    message = _one_message(server, dlq_url)
    assert json.loads(message["Body"]) == {"fail": "no retry"}
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes == {
        "RequestID": response["ResponseMetadata"]["RequestId"],
        "ErrorCode": "200",
        "ErrorMessage": "no retry",
    }
    assert _async_status(server)["retries_scheduled"] == 0
    assert _starts(server, "once") == 1


def test_maximum_event_age(virtual_server: ServerProcess) -> None:
    server = virtual_server
    url, arn = _queue(server, "too-old")
    create_function(server.client, "aged")
    lam = server.client("lambda")
    lam.put_function_event_invoke_config(
        FunctionName="aged", MaximumEventAgeInSeconds=90, DestinationConfig={"OnFailure": {"Destination": arn}}
    )
    lam.invoke(FunctionName="aged", InvocationType="Event", Payload=b'{"fail": "old"}')
    wait_for(lambda: _async_status(server)["retries_scheduled"] == 1)
    server.advance(60)
    record = json.loads(_one_message(server, url)["Body"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 2


def test_reserved_concurrency_makes_events_wait_their_turn(virtual_server: ServerProcess) -> None:
    server = virtual_server
    url, arn = _queue(server, "done")
    create_function(server.client, "one-at-a-time")
    lam = server.client("lambda")
    lam.put_function_concurrency(FunctionName="one-at-a-time", ReservedConcurrentExecutions=1)
    lam.put_function_event_invoke_config(
        FunctionName="one-at-a-time", DestinationConfig={"OnSuccess": {"Destination": arn}}
    )
    for index in range(3):
        lam.invoke(FunctionName="one-at-a-time", InvocationType="Event", Payload=json.dumps({"say": index}).encode())
    wait_for(lambda: _async_status(server)["finished"] == 3)
    sqs = server.client("sqs")
    bodies = []
    while len(bodies) < 3:
        bodies += [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert sorted(b["responsePayload"]["invocations"] for b in bodies) == [1, 2, 3]  # one warm environment
    assert _starts(server, "one-at-a-time") == 3


def test_idle_environments_are_reaped_on_the_clock(virtual_server: ServerProcess) -> None:
    server = virtual_server
    create_function(server.client, "reaped")
    lam = server.client("lambda")
    assert [invoke_json(lam, "reaped")[1]["invocations"] for _ in range(2)] == [1, 2]
    server.advance(590)
    assert invoke_json(lam, "reaped")[1]["invocations"] == 3
    server.advance(601)
    wait_for(lambda: server.admin("GET", "health")["services"]["lambda"]["environments"]["idle"] == 0)
    assert invoke_json(lam, "reaped")[1]["invocations"] == 1


def test_eventbridge_rule_invokes_a_function(virtual_server: ServerProcess) -> None:
    server = virtual_server
    url, arn = _queue(server, "from-rule")
    create_function(server.client, "on-order")
    lam = server.client("lambda")
    lam.put_function_event_invoke_config(FunctionName="on-order", DestinationConfig={"OnSuccess": {"Destination": arn}})
    events = server.client("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "fn", "Arn": ARN + "on-order"}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"id": 7})}])
    record = json.loads(_one_message(server, url)["Body"])
    assert record["requestPayload"]["detail"] == {"id": 7}
    assert record["responsePayload"]["event"]["detail-type"] == "OrderPlaced"
