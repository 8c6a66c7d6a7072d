"""The query protocol against botocore's own query serializer and parser, for every operation
of the query services postoffice serves (SQS through its overlay), plus AWS's documented
wire examples and the errors a malformed request gets."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from botocore.model import ServiceModel
from protocol_samples import (
    FakeService,
    client_parse,
    client_request,
    context,
    internal,
    model_with_overlay,
    normalized,
    sample,
    server_error,
    server_parse,
)

from postoffice.protocol.errors import ServiceError
from postoffice.protocol.http import HttpRequest
from postoffice.protocol.models import service_model
from postoffice.protocol.query_protocol import QueryProtocol

SQS_QUERY_CODES = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
}
SERVICES = ["sns", "sts", "iam", "cloudwatch", "sqs"]
QUERY = QueryProtocol()


def _client_model(name: str) -> ServiceModel:
    return model_with_overlay("sqs") if name == "sqs" else service_model(name)


_models: dict[str, ServiceModel] = {}


def client_model(name: str) -> ServiceModel:
    if name not in _models:
        _models[name] = _client_model(name)
    return _models[name]


def _fake(name: str) -> FakeService:
    return FakeService(name, SQS_QUERY_CODES if name == "sqs" else None)


def _operations() -> list[tuple[str, str]]:
    return [(name, op) for name in SERVICES for op in service_model(name).operation_names]


def _form(body: dict[str, str] | str, query: str = "") -> HttpRequest:
    data = body if isinstance(body, str) else urlencode(body, quote_via=quote)
    return HttpRequest("POST", "/", query, {"content-type": "application/x-www-form-urlencoded"}, data.encode())


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_request_parameters_round_trip(service: str, operation: str) -> None:
    model = client_model(service).operation_model(operation)
    params = sample(model.input_shape) if model.input_shape is not None else {}
    name, parsed = server_parse("query", _fake(service), client_request("query", model, params))
    assert name == operation
    assert parsed == internal(params)


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_results_parse_in_botocore(service: str, operation: str) -> None:
    client_operation = client_model(service).operation_model(operation)
    server_operation = service_model(service).operation_model(operation)
    result = sample(server_operation.output_shape) if server_operation.output_shape is not None else {}
    response = QUERY.serialize(_fake(service), server_operation, internal(result), context(service))  # type: ignore[arg-type]
    assert response.status == 200 and response.content_type == "text/xml"
    parsed = client_parse("query", response, client_operation.output_shape)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1234"
    assert normalized(parsed) == internal(result)


def _error_shapes() -> list[tuple[str, str]]:
    return [(name, shape.name) for name in SERVICES for shape in service_model(name).error_shapes]


@pytest.mark.parametrize(("service", "code"), _error_shapes())
def test_modeled_errors_reach_botocore_with_code_message_and_status(service: str, code: str) -> None:
    shape = service_model(service).shape_for(code)
    error_meta = shape.metadata.get("error", {})
    response = server_error("query", _fake(service), ServiceError(code, "it <went> wrong"))
    parsed = client_parse("query", response, None)
    expected_code = SQS_QUERY_CODES.get(code) if service == "sqs" else None
    assert parsed["Error"]["Code"] == (expected_code or error_meta.get("code", code))
    assert parsed["Error"]["Message"] == "it <went> wrong"
    status = error_meta.get("httpStatusCode", 400)
    assert parsed["Error"]["Type"] == ("Sender" if error_meta.get("senderFault", status < 500) else "Receiver")
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1234"
    assert response.status == status


def test_explicit_status_and_extra_fields_win_over_the_model() -> None:
    response = server_error("query", _fake("sqs"), ServiceError("QueueDoesNotExist", "gone", 404, Detail="x"))
    parsed = client_parse("query", response, None)
    assert response.status == 404
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "Message": "gone",
        "Detail": "x",
    }


def test_server_faults_are_receiver_errors() -> None:
    response = server_error("query", _fake("sts"), ServiceError("InternalFailure", "oops", 500))
    assert b"<Type>Receiver</Type>" in response.body and response.status == 500


# SQS's query conventions, as AWS's SQS API reference shows them ---------------------------


def _sqs_parse(body: dict[str, str]) -> dict[str, Any]:
    return server_parse("query", _fake("sqs"), _form({"Version": "2012-11-05", **body}))[1]


def test_sqs_query_attribute_and_tag_maps() -> None:
    params = _sqs_parse(
        {
            "Action": "CreateQueue",
            "QueueName": "q",
            "Attribute.1.Name": "VisibilityTimeout",
            "Attribute.1.Value": "40",
            "Attribute.2.Name": "DelaySeconds",
            "Attribute.2.Value": "5",
            "Tag.1.Key": "team",
            "Tag.1.Value": "blue",
        }
    )
    assert params == {
        "QueueName": "q",
        "Attributes": {"VisibilityTimeout": "40", "DelaySeconds": "5"},
        "tags": {"team": "blue"},
    }


def test_sqs_query_message_attributes_and_batch_entries() -> None:
    params = _sqs_parse(
        {
            "Action": "SendMessageBatch",
            "QueueUrl": "http://localhost/000000000000/q",
            "SendMessageBatchRequestEntry.1.Id": "a",
            "SendMessageBatchRequestEntry.1.MessageBody": "hello",
            "SendMessageBatchRequestEntry.1.DelaySeconds": "3",
            "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": "color",
            "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": "red",
            "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": "String",
            "SendMessageBatchRequestEntry.1.MessageAttribute.2.Name": "raw",
            "SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.BinaryValue": base64.b64encode(b"\x01").decode(),
            "SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType": "Binary",
            "SendMessageBatchRequestEntry.2.Id": "b",
            "SendMessageBatchRequestEntry.2.MessageBody": "world",
        }
    )
    assert params["Entries"] == [
        {
            "Id": "a",
            "MessageBody": "hello",
            "DelaySeconds": 3,
            "MessageAttributes": {
                "color": {"StringValue": "red", "DataType": "String"},
                "raw": {"BinaryValue": b"\x01", "DataType": "Binary"},
            },
        },
        {"Id": "b", "MessageBody": "world"},
    ]


def test_sqs_query_attribute_name_lists() -> None:
    params = _sqs_parse(
        {
            "Action": "ReceiveMessage",
            "QueueUrl": "u",
            "AttributeName.1": "All",
            "MessageSystemAttributeName.1": "SentTimestamp",
            "MessageAttributeName.1": "color",
            "MaxNumberOfMessages": "10",
        }
    )
    assert params == {
        "QueueUrl": "u",
        "AttributeNames": ["All"],
        "MessageSystemAttributeNames": ["SentTimestamp"],
        "MessageAttributeNames": ["color"],
        "MaxNumberOfMessages": 10,
    }


def test_sqs_query_receive_message_answer_matches_the_documented_xml() -> None:
    operation = service_model("sqs").operation_model("ReceiveMessage")
    result = {
        "Messages": [
            {
                "MessageId": "m1",
                "ReceiptHandle": "rh",
                "MD5OfBody": "md5",
                "Body": 'This is a "test" message & more',
                "Attributes": {"SenderId": "195004372649", "SentTimestamp": "1238099229000"},
                "MessageAttributes": {"color": {"StringValue": "red", "DataType": "String"}},
            }
        ]
    }
    body = QUERY.serialize(_fake("sqs"), operation, result, context("sqs")).body.decode()  # type: ignore[arg-type]
    assert body == (
        '<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult>'
        "<Message><MessageId>m1</MessageId><ReceiptHandle>rh</ReceiptHandle><MD5OfBody>md5</MD5OfBody>"
        "<Body>This is a &quot;test&quot; message &amp; more</Body>"
        "<Attribute><Name>SenderId</Name><Value>195004372649</Value></Attribute>"
        "<Attribute><Name>SentTimestamp</Name><Value>1238099229000</Value></Attribute>"
        "<MessageAttribute><Name>color</Name><Value><StringValue>red</StringValue><DataType>String</DataType>"
        "</Value></MessageAttribute></Message></ReceiveMessageResult>"
        "<ResponseMetadata><RequestId>req-1234</RequestId></ResponseMetadata></ReceiveMessageResponse>"
    )


def test_sqs_query_list_queues_and_get_queue_attributes_answers() -> None:
    fake = _fake("sqs")
    list_queues = service_model("sqs").operation_model("ListQueues")
    body = QUERY.serialize(fake, list_queues, {"QueueUrls": ["u1", "u2"]}, context("sqs")).body.decode()  # type: ignore[arg-type]
    assert "<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>" in body
    attributes = service_model("sqs").operation_model("GetQueueAttributes")
    body = QUERY.serialize(fake, attributes, {"Attributes": {"DelaySeconds": "0"}}, context("sqs")).body.decode()  # type: ignore[arg-type]
    assert "<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>" in body


def test_empty_results_still_carry_their_wrapper_and_request_id() -> None:
    fake = _fake("sqs")
    purge = service_model("sqs").operation_model("PurgeQueue")
    body = QUERY.serialize(fake, purge, {}, context("sqs")).body.decode()  # type: ignore[arg-type]
    assert body == (
        '<PurgeQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ResponseMetadata>'
        "<RequestId>req-1234</RequestId></ResponseMetadata></PurgeQueueResponse>"
    )
    receive = service_model("sqs").operation_model("ReceiveMessage")
    body = QUERY.serialize(fake, receive, {}, context("sqs")).body.decode()  # type: ignore[arg-type]
    assert "<ReceiveMessageResult></ReceiveMessageResult>" in body


def test_get_query_string_request_and_carriage_returns_survive() -> None:
    request = HttpRequest("GET", "/", "Action=GetTopicAttributes&Version=2010-03-31&TopicArn=arn%3Ax", {}, b"")
    name, params = server_parse("query", _fake("sns"), request)
    assert (name, params) == ("GetTopicAttributes", {"TopicArn": "arn:x"})
    operation = service_model("sns").operation_model("GetTopicAttributes")
    response = QUERY.serialize(_fake("sns"), operation, {"Attributes": {"Policy": "a\r\nb"}}, context("sns"))  # type: ignore[arg-type]
    assert client_parse("query", response, operation.output_shape)["Attributes"] == {"Policy": "a\r\nb"}


# Malformed requests ------------------------------------------------------------------------


def _error_of(service: str, body: dict[str, str] | str, query: str = "") -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        server_parse("query", _fake(service), _form(body, query))
    return caught.value


def test_missing_and_unknown_actions() -> None:
    missing = _error_of("sts", {"Version": "2011-06-15"})
    assert (missing.code, missing.status) == ("MissingAction", 400)
    unknown = _error_of("sts", {"Action": "Frobnicate", "Version": "2011-06-15"})
    assert (unknown.code, unknown.status) == ("InvalidAction", 400)
    assert unknown.message == "The action Frobnicate is not valid for this web service."


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("MaxNumberOfMessages", "ten", "must be an integer from -2147483648 to 2147483647"),
        ("MaxNumberOfMessages", "2147483648", "must be an integer from -2147483648 to 2147483647"),
        ("MaxNumberOfMessages", "1_0", "must be an integer from -2147483648 to 2147483647"),
    ],
)
def test_values_that_do_not_convert_are_invalid_parameter_values(field: str, value: str, reason: str) -> None:
    error = _error_of("sqs", {"Action": "ReceiveMessage", "QueueUrl": "u", field: value})
    assert (error.code, error.status) == ("InvalidParameterValue", 400)
    assert error.message == f"Value {value} for parameter {field} is invalid. Reason: {reason}"


def test_bad_boolean_base64_timestamp_and_nested_paths_are_named() -> None:
    bad_bool = _error_of("iam", {"Action": "UpdateAccountPasswordPolicy", "RequireSymbols": "yes"})
    assert "parameter RequireSymbols" in bad_bool.message
    bad_blob = _error_of(
        "sqs",
        {
            "Action": "SendMessage",
            "QueueUrl": "u",
            "MessageBody": "b",
            "MessageAttribute.1.Name": "x",
            "MessageAttribute.1.Value.DataType": "Binary",
            "MessageAttribute.1.Value.BinaryValue": "***",
        },
    )
    assert "parameter MessageAttribute.1.Value.BinaryValue" in bad_blob.message
    assert "base64" in bad_blob.message
    bad_time = _error_of(
        "cloudwatch",
        {"Action": "GetMetricStatistics", "Namespace": "n", "MetricName": "m", "StartTime": "yesterday"},
    )
    assert "parameter StartTime" in bad_time.message
    long_overflow = _error_of("sqs", {"Action": "ListQueues", "MaxResults": "1e3"})
    assert "parameter MaxResults" in long_overflow.message


def test_malformed_form_encoding_is_a_malformed_query_string() -> None:
    request = HttpRequest(
        "POST", "/", "", {"content-type": "application/x-www-form-urlencoded"}, b"Action=ListTopics&Next=%FF%FE"
    )
    with pytest.raises(ServiceError) as caught:
        server_parse("query", _fake("sns"), request)
    assert (caught.value.code, caught.value.status) == ("MalformedQueryString", 404)


def test_a_body_that_is_not_a_form_is_ignored() -> None:
    request = HttpRequest("POST", "/", "", {"content-type": "application/json"}, b'{"Action": "ListTopics"}')
    with pytest.raises(ServiceError) as caught:
        server_parse("query", _fake("sns"), request)
    assert caught.value.code == "MissingAction"


def test_lists_and_maps_accept_both_member_and_bare_indexes() -> None:
    base = {"Action": "AssumeRole", "RoleArn": "r", "RoleSessionName": "s"}
    wrapped = server_parse("query", _fake("sts"), _form({**base, "PolicyArns.member.1.arn": "a"}))[1]
    bare = server_parse("query", _fake("sts"), _form({**base, "PolicyArns.1.arn": "a"}))[1]
    assert wrapped["PolicyArns"] == bare["PolicyArns"] == [{"arn": "a"}]
    empty = server_parse("query", _fake("sts"), _form({**base, "PolicyArns": ""}))[1]
    assert empty["PolicyArns"] == []
