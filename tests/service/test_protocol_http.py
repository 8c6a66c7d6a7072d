"""Malformed requests through real HTTP: each protocol answers in its own format with AWS's
codes and statuses, never a 500."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
import requests
from botocore.exceptions import ClientError
from server import CREDENTIALS, ServerProcess

sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))

from protocol_samples import overlay_model_data  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
LOGS = {"X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1"}


def _post(server: ServerProcess, body: bytes | str, headers: dict[str, str], path: str = "/") -> requests.Response:
    return requests.post(server.endpoint + path, data=body, headers=headers, timeout=10)


def test_boto3_query_call_and_its_xml(server: ServerProcess, client: Any) -> None:
    identity = client("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"
    raw = requests.get(server.endpoint + "/?Action=GetCallerIdentity&Version=2011-06-15", timeout=10)
    assert raw.status_code == 200 and raw.headers["content-type"] == "text/xml"
    assert raw.text.startswith('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
    assert "<GetCallerIdentityResult>" in raw.text and "</RequestId></ResponseMetadata>" in raw.text


def test_query_unknown_and_missing_action(server: ServerProcess) -> None:
    unknown = _post(server, "Action=Frobnicate&Version=2011-06-15", FORM)
    assert unknown.status_code == 400
    assert "<Code>InvalidAction</Code>" in unknown.text
    assert "<Message>The action Frobnicate is not valid for this web service.</Message>" in unknown.text
    assert unknown.text.startswith("<ErrorResponse") and "<Type>Sender</Type>" in unknown.text
    missing = _post(server, "Version=2011-06-15", FORM)
    assert missing.status_code == 400 and "<Code>MissingAction</Code>" in missing.text


def test_query_malformed_encoding_and_bad_values(server: ServerProcess) -> None:
    malformed = _post(server, b"Action=GetCallerIdentity&Version=2011-06-15&x=%FF", FORM)
    assert malformed.status_code == 404 and "<Code>MalformedQueryString</Code>" in malformed.text
    bad_int = _post(
        server, "Action=AssumeRole&Version=2011-06-15&RoleArn=a&RoleSessionName=s&DurationSeconds=soon", FORM
    )
    assert bad_int.status_code == 400
    assert "<Code>InvalidParameterValue</Code>" in bad_int.text and "DurationSeconds" in bad_int.text


def test_json_malformed_bodies(server: ServerProcess) -> None:
    for body in (b"{not json", b"[1]", b'"x"'):
        response = _post(server, body, LOGS)
        assert response.status_code == 400, body
        assert response.json()["__type"].endswith("SerializationException")
    wrong_type = _post(server, b'{"limit": "ten"}', LOGS)
    assert wrong_type.status_code == 400 and "VALUE_STRING" in wrong_type.json()["message"]
    too_big = _post(server, b'{"limit": 99999999999}', LOGS)
    assert too_big.status_code == 400 and "out of range of int" in too_big.json()["message"]


def test_json_unknown_operation_and_wrong_content_type(server: ServerProcess) -> None:
    unknown = _post(server, b"{}", {**LOGS, "X-Amz-Target": "Logs_20140328.Frobnicate"})
    assert unknown.status_code == 400 and unknown.json()["__type"].endswith("UnknownOperationException")
    wrong = _post(server, b"limit=1", {**LOGS, "Content-Type": "text/plain"})
    assert wrong.status_code == 415 and wrong.json()["__type"].endswith("UnsupportedMediaTypeException")


def test_nothing_to_route_on(server: ServerProcess) -> None:
    response = _post(server, b"hello", {"Content-Type": "text/plain"})
    assert response.status_code == 400


def test_sqs_in_the_query_protocol_as_older_sdks_speak_it(server: ServerProcess) -> None:
    created = _post(
        server,
        "Action=CreateQueue&Version=2012-11-05&QueueName=legacy&Attribute.1.Name=VisibilityTimeout"
        "&Attribute.1.Value=40&Tag.1.Key=team&Tag.1.Value=blue",
        FORM,
    )
    assert created.status_code == 200, created.text
    assert created.text.startswith('<CreateQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">')
    queue_url = created.text.split("<QueueUrl>")[1].split("</QueueUrl>")[0]
    queue_path = "/" + queue_url.split("/", 3)[3]
    sent = _post(
        server,
        "Action=SendMessage&Version=2012-11-05&MessageBody=%3Chello%3E&MessageAttribute.1.Name=color"
        "&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=red",
        FORM,
        path=queue_path,
    )
    assert sent.status_code == 200, sent.text
    assert "<SendMessageResult><MD5OfMessageBody>" in sent.text and "<MD5OfMessageAttributes>" in sent.text
    received = _post(
        server,
        "Action=ReceiveMessage&Version=2012-11-05&AttributeName.1=All&MessageAttributeName.1=All",
        FORM,
        path=queue_path,
    )
    assert received.status_code == 200, received.text
    assert "<Body>&lt;hello&gt;</Body>" in received.text
    assert "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>" in received.text
    assert (
        "<MessageAttribute><Name>color</Name><Value><StringValue>red</StringValue>"
        "<DataType>String</DataType></Value></MessageAttribute>"
    ) in received.text
    attributes = _post(
        server, "Action=GetQueueAttributes&Version=2012-11-05&AttributeName.1=VisibilityTimeout", FORM, queue_path
    )
    assert "<Attribute><Name>VisibilityTimeout</Name><Value>40</Value></Attribute>" in attributes.text
    tags = _post(server, "Action=ListQueueTags&Version=2012-11-05", FORM, queue_path)
    assert "<Tag><Key>team</Key><Value>blue</Value></Tag>" in tags.text


def test_sqs_query_errors_use_the_legacy_codes(server: ServerProcess) -> None:
    missing = _post(server, "Action=GetQueueUrl&Version=2012-11-05&QueueName=nowhere", FORM)
    assert missing.status_code == 400
    assert "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in missing.text
    assert missing.text.startswith('<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">')
    unknown = _post(server, "Action=Frobnicate&Version=2012-11-05", FORM)
    assert unknown.status_code == 400 and "<Code>InvalidAction</Code>" in unknown.text


def test_a_boto3_client_speaking_sqs_query_works_end_to_end(server: ServerProcess, tmp_path: Path) -> None:
    model_dir = tmp_path / "sqs" / "2012-11-05"
    model_dir.mkdir(parents=True)
    (model_dir / "service-2.json").write_text(json.dumps(overlay_model_data("sqs")))
    core = botocore.session.get_session()
    core.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    sqs = boto3.Session(botocore_session=core).client(
        "sqs", endpoint_url=server.endpoint, region_name="us-east-1", **CREDENTIALS
    )
    assert sqs.meta.service_model.protocol == "query"
    url = sqs.create_queue(QueueName="old-sdk", Attributes={"DelaySeconds": "0"}, tags={"a": "b"})["QueueUrl"]
    sqs.send_message(
        QueueUrl=url,
        MessageBody="x & y",
        MessageAttributes={
            "n": {"DataType": "Number", "StringValue": "7"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00"},
        },
    )
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "one"}, {"Id": "2", "MessageBody": "two"}])
    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    assert sorted(message["Body"] for message in messages) == ["one", "two", "x & y"]
    first = next(message for message in messages if message["Body"] == "x & y")
    assert first["MessageAttributes"]["b"] == {"DataType": "Binary", "BinaryValue": b"\x00"}
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"a": "b"}
    assert url in sqs.list_queues(QueueNamePrefix="old")["QueueUrls"]
    with pytest.raises(ClientError) as caught:
        sqs.get_queue_url(QueueName="missing")
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
