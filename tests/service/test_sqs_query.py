"""SQS over the query protocol: raw form POSTs and GETs (botocore's SQS model is JSON-only)."""

from __future__ import annotations

import base64
import hashlib
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests

CLASSIC_ARN = "arn:aws:sqs:us-east-1:000000000000:classic"
NS = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}


class Query:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def post(self, action: str, path: str = "/", **params: str) -> tuple[int, ET.Element]:
        form = {"Action": action, "Version": "2012-11-05", **params}
        response = requests.post(self.endpoint + path, data=form, timeout=30)
        assert response.headers["content-type"].startswith("text/xml")
        return response.status_code, ET.fromstring(response.content)

    def get(self, path: str, **params: str) -> tuple[int, ET.Element]:
        response = requests.get(self.endpoint + path, params={"Version": "2012-11-05", **params}, timeout=30)
        return response.status_code, ET.fromstring(response.content)


def text(root: ET.Element, path: str) -> str | None:
    found = root.find(path, NS)
    return None if found is None else found.text


def attributes(root: ET.Element, path: str) -> dict[str, str]:
    return {str(text(item, "sqs:Name")): str(text(item, "sqs:Value")) for item in root.findall(path, NS)}


@pytest.fixture
def query(server: Any) -> Query:
    return Query(server.endpoint)


@pytest.fixture
def queue_url(query: Query) -> str:
    status, root = query.post(
        "CreateQueue",
        QueueName="classic",
        **{"Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "40", "Tag.1.Key": "team", "Tag.1.Value": "a"},
    )
    assert status == 200
    url = text(root, "sqs:CreateQueueResult/sqs:QueueUrl")
    assert url is not None
    return url


def test_create_queue_and_attributes(query: Query, queue_url: str, server: Any) -> None:
    assert queue_url == f"http://sqs.us-east-1.localhost:{server.port}/000000000000/classic"
    status, root = query.post("GetQueueAttributes", QueueUrl=queue_url, **{"AttributeName.1": "All"})
    assert status == 200
    assert root.tag == f"{{{NS['sqs']}}}GetQueueAttributesResponse"
    found = attributes(root, "sqs:GetQueueAttributesResult/sqs:Attribute")
    assert found["VisibilityTimeout"] == "40"
    assert found["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:classic"
    assert text(root, "sqs:ResponseMetadata/sqs:RequestId")
    status, root = query.post("ListQueueTags", QueueUrl=queue_url)
    assert attributes_of_tags(root) == {"team": "a"}


def attributes_of_tags(root: ET.Element) -> dict[str, str]:
    return {
        str(text(item, "sqs:Key")): str(text(item, "sqs:Value"))
        for item in root.findall("sqs:ListQueueTagsResult/sqs:Tag", NS)
    }


def test_send_receive_delete_with_attributes(query: Query, queue_url: str) -> None:
    status, root = query.post(
        "SendMessage",
        QueueUrl=queue_url,
        MessageBody="hi & <bye>",
        **{
            "MessageAttribute.1.Name": "Foo",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "Bar",
            "MessageAttribute.2.Name": "Raw",
            "MessageAttribute.2.Value.DataType": "Binary",
            "MessageAttribute.2.Value.BinaryValue": base64.b64encode(b"\x00\x01\x02").decode(),
        },
    )
    assert status == 200
    assert text(root, "sqs:SendMessageResult/sqs:MD5OfMessageBody") == hashlib.md5(b"hi & <bye>").hexdigest()
    message_id = text(root, "sqs:SendMessageResult/sqs:MessageId")
    status, root = query.post(
        "ReceiveMessage",
        QueueUrl=queue_url,
        **{"AttributeName.1": "All", "MessageAttributeName.1": "All"},
    )
    message = root.find("sqs:ReceiveMessageResult/sqs:Message", NS)
    assert message is not None
    assert text(message, "sqs:MessageId") == message_id
    assert text(message, "sqs:Body") == "hi & <bye>"
    assert attributes(message, "sqs:Attribute")["ApproximateReceiveCount"] == "1"
    user = {
        str(text(item, "sqs:Name")): (
            text(item, "sqs:Value/sqs:DataType"),
            text(item, "sqs:Value/sqs:StringValue"),
            text(item, "sqs:Value/sqs:BinaryValue"),
        )
        for item in message.findall("sqs:MessageAttribute", NS)
    }
    assert user == {"Foo": ("String", "Bar", None), "Raw": ("Binary", None, "AAEC")}
    handle = text(message, "sqs:ReceiptHandle")
    assert handle
    status, root = query.post("DeleteMessage", QueueUrl=queue_url, ReceiptHandle=handle)
    assert status == 200
    assert root.tag == f"{{{NS['sqs']}}}DeleteMessageResponse"


def test_a_message_of_exactly_one_mebibyte_counting_its_attributes(query: Query, queue_url: str) -> None:
    attributes = {
        "MessageAttribute.1.Name": "colour",
        "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "blue",
        "MessageAttribute.2.Name": "raw",
        "MessageAttribute.2.Value.DataType": "Binary",
        "MessageAttribute.2.Value.BinaryValue": base64.b64encode(b"\x00\x01\x02").decode(),
    }
    counted = len("colourStringblue") + len("rawBinary") + 3
    body = "\u00e9" + "a" * (1_048_576 - counted - 2)
    status, _ = query.post("SendMessage", QueueUrl=queue_url, MessageBody=body, **attributes)
    assert status == 200
    status, root = query.post("ReceiveMessage", QueueUrl=queue_url)
    assert text(root, "sqs:ReceiveMessageResult/sqs:Message/sqs:Body") == body
    status, root = query.post("SendMessage", QueueUrl=queue_url, MessageBody=body + "a", **attributes)
    assert (status, text(root, "sqs:Error/sqs:Code")) == (400, "InvalidParameterValue")
    assert text(root, "sqs:Error/sqs:Message") == (
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    )


def test_empty_receive_has_no_message(query: Query, queue_url: str) -> None:
    status, root = query.post("ReceiveMessage", QueueUrl=queue_url)
    assert status == 200
    assert root.find("sqs:ReceiveMessageResult/sqs:Message", NS) is None


def test_queue_url_taken_from_the_path(query: Query, queue_url: str) -> None:
    status, _ = query.post("SendMessage", path="/000000000000/classic", MessageBody="by path")
    assert status == 200
    status, root = query.get("/000000000000/classic", Action="ReceiveMessage")
    assert status == 200
    assert text(root, "sqs:ReceiveMessageResult/sqs:Message/sqs:Body") == "by path"


def test_errors(query: Query, queue_url: str) -> None:
    status, root = query.post("GetQueueUrl", QueueName="ghost")
    assert status == 400
    assert text(root, "sqs:Error/sqs:Type") == "Sender"
    assert text(root, "sqs:Error/sqs:Code") == "AWS.SimpleQueueService.NonExistentQueue"
    assert text(root, "sqs:Error/sqs:Message") == "The specified queue does not exist for this wsdl version."
    assert text(root, "sqs:RequestId")
    status, root = query.post("SendMessage", QueueUrl=queue_url)
    assert (status, text(root, "sqs:Error/sqs:Code")) == (400, "MissingParameter")
    assert text(root, "sqs:Error/sqs:Message") == "The request must contain the parameter MessageBody."
    status, root = query.post("ReceiveMessage", QueueUrl=queue_url, MaxNumberOfMessages="11")
    assert (status, text(root, "sqs:Error/sqs:Code")) == (400, "InvalidParameterValue")
    status, root = query.post(
        "CreateQueue", QueueName="classic", **{"Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "41"}
    )
    assert text(root, "sqs:Error/sqs:Code") == "QueueAlreadyExists"
    status, root = query.post("GetQueueAttributes", QueueUrl=queue_url, **{"AttributeName.1": "Colour"})
    assert text(root, "sqs:Error/sqs:Code") == "InvalidAttributeName"
    status, root = query.post("PurgeQueue", QueueUrl=queue_url)
    assert status == 200
    status, root = query.post("PurgeQueue", QueueUrl=queue_url)
    assert (status, text(root, "sqs:Error/sqs:Code")) == (403, "AWS.SimpleQueueService.PurgeQueueInProgress")
    status, root = query.post("DeleteMessage", QueueUrl=queue_url, ReceiptHandle="garbage")
    assert (status, text(root, "sqs:Error/sqs:Code")) == (404, "ReceiptHandleIsInvalid")


def test_batches(query: Query, queue_url: str) -> None:
    status, root = query.post(
        "SendMessageBatch",
        QueueUrl=queue_url,
        **{
            "SendMessageBatchRequestEntry.1.Id": "ok",
            "SendMessageBatchRequestEntry.1.MessageBody": "fine",
            "SendMessageBatchRequestEntry.2.Id": "bad",
            "SendMessageBatchRequestEntry.2.MessageBody": "\x01",
        },
    )
    assert status == 200
    result = root.find("sqs:SendMessageBatchResult", NS)
    assert result is not None
    assert [text(e, "sqs:Id") for e in result.findall("sqs:SendMessageBatchResultEntry", NS)] == ["ok"]
    [failed] = result.findall("sqs:BatchResultErrorEntry", NS)
    assert (text(failed, "sqs:Id"), text(failed, "sqs:Code"), text(failed, "sqs:SenderFault")) == (
        "bad",
        "InvalidMessageContents",
        "true",
    )
    status, root = query.post("SendMessageBatch", QueueUrl=queue_url)
    assert (status, text(root, "sqs:Error/sqs:Code")) == (400, "AWS.SimpleQueueService.EmptyBatchRequest")


def test_list_queues_and_dead_letter_sources(query: Query, queue_url: str) -> None:
    query.post(
        "CreateQueue",
        QueueName="feeder",
        **{
            "Attribute.1.Name": "RedrivePolicy",
            "Attribute.1.Value": json.dumps({"deadLetterTargetArn": CLASSIC_ARN, "maxReceiveCount": 3}),
        },
    )
    status, root = query.post("ListQueues")
    urls = [e.text for e in root.findall("sqs:ListQueuesResult/sqs:QueueUrl", NS)]
    assert [url.rsplit("/", 1)[1] for url in urls if url] == ["classic", "feeder"]
    status, root = query.post("ListDeadLetterSourceQueues", QueueUrl=queue_url)
    urls = [e.text for e in root.findall("sqs:ListDeadLetterSourceQueuesResult/sqs:QueueUrl", NS)]
    assert [url.rsplit("/", 1)[1] for url in urls if url] == ["feeder"]
