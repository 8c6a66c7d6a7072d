"""AWS JSON 1.0 / 1.1 against botocore's serializer and parser for every operation of the JSON
services postoffice serves, with query-compatible error codes and malformed bodies."""

from __future__ import annotations

import orjson
import pytest
from protocol_samples import (
    FakeService,
    client_parse,
    client_request,
    context,
    internal,
    normalized,
    sample,
    server_error,
    server_parse,
)

from postoffice.protocol.errors import ServiceError
from postoffice.protocol.http import HttpRequest
from postoffice.protocol.json_protocol import JsonProtocol
from postoffice.protocol.models import service_model

SERVICES = ["sqs", "events", "stepfunctions", "logs", "dynamodb", "cloudwatch"]
SQS_QUERY_CODES = {"QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue"}
JSON = JsonProtocol()


def _operations() -> list[tuple[str, str]]:
    return [(name, op) for name in SERVICES for op in service_model(name).operation_names]


def _fake(name: str) -> FakeService:
    if name == "sqs":
        return FakeService(name, SQS_QUERY_CODES, json_error_namespace="com.amazonaws.sqs")
    return FakeService(name)


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_request_parameters_round_trip(service: str, operation: str) -> None:
    model = service_model(service).operation_model(operation)
    params = sample(model.input_shape) if model.input_shape is not None else {}
    request = client_request("json", model, params)
    name, parsed = server_parse("json", _fake(service), request)
    assert name == operation
    assert parsed == internal(params)


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_results_parse_in_botocore(service: str, operation: str) -> None:
    model = service_model(service).operation_model(operation)
    shape = model.output_shape
    if shape is not None and shape.event_stream_name:
        pytest.skip("event streams are not a request/response body")
    result = sample(shape) if shape is not None else {}
    response = JSON.serialize(_fake(service), model, internal(result), context(service))  # type: ignore[arg-type]
    parsed = client_parse("json", response, shape)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1234"
    assert normalized(parsed) == internal(result)


def _error_shapes() -> list[tuple[str, str]]:
    return [(name, shape.name) for name in SERVICES for shape in service_model(name).error_shapes]


@pytest.mark.parametrize(("service", "code"), _error_shapes())
def test_modeled_errors_reach_botocore(service: str, code: str) -> None:
    shape = service_model(service).shape_for(code)
    error_meta = shape.metadata.get("error", {})
    fake = _fake(service)
    response = server_error("json", fake, ServiceError(code, "bad thing"))
    parsed = client_parse("json", response, None)
    assert response.status == error_meta.get("httpStatusCode", 400)
    assert parsed["Error"]["Message"] == "bad thing"
    if fake.query_compatible:
        query_code = fake.query_error_codes.get(code, error_meta.get("code", code))
        assert parsed["Error"]["Code"] == query_code
        assert parsed["Error"]["QueryErrorCode"] == code
    else:
        assert parsed["Error"]["Code"] == code


def test_sqs_error_document_and_headers() -> None:
    response = server_error(
        "json", _fake("sqs"), ServiceError("QueueDoesNotExist", "The specified queue does not exist.")
    )
    assert orjson.loads(response.body) == {
        "__type": "com.amazonaws.sqs#QueueDoesNotExist",
        "message": "The specified queue does not exist.",
    }
    assert ("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender") in response.headers
    assert response.content_type == "application/x-amz-json-1.0"


def test_dynamodb_recursive_attribute_values_decode_and_encode() -> None:
    item = {"a": {"M": {"b": {"L": [{"B": "AAE="}, {"M": {"c": {"BS": ["AQ=="]}}}]}}}}
    request = HttpRequest(
        "POST",
        "/",
        "",
        {"x-amz-target": "DynamoDB_20120810.PutItem", "content-type": "application/x-amz-json-1.0"},
        orjson.dumps({"TableName": "t", "Item": item}),
    )
    _, params = server_parse("json", _fake("dynamodb"), request)
    assert params["Item"]["a"]["M"]["b"]["L"][1]["M"]["c"]["BS"] == [b"\x01"]
    get_item = service_model("dynamodb").operation_model("GetItem")
    response = JSON.serialize(_fake("dynamodb"), get_item, {"Item": params["Item"]}, context("dynamodb"))  # type: ignore[arg-type]
    assert orjson.loads(response.body) == {"Item": item}


def _json_request(body: bytes, content_type: str = "application/x-amz-json-1.0") -> HttpRequest:
    headers = {"x-amz-target": "AmazonSQS.ReceiveMessage"}
    if content_type:
        headers["content-type"] = content_type
    return HttpRequest("POST", "/", "", headers, body)


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        (b"{not json", "SerializationException", "Start of structure or map"),
        (b"[1, 2]", "SerializationException", "Start of structure or map"),
        (b'"text"', "SerializationException", "Start of structure or map"),
        (b'{"QueueUrl": 7}', "SerializationException", "VALUE_NUMBER_INT where VALUE_STRING"),
        (b'{"QueueUrl": "u", "MaxNumberOfMessages": "10"}', "SerializationException", "VALUE_STRING"),
        (b'{"QueueUrl": "u", "MaxNumberOfMessages": 1.5}', "SerializationException", "VALUE_NUMBER_FLOAT"),
        (b'{"QueueUrl": "u", "MaxNumberOfMessages": 2147483648}', "SerializationException", "out of range of int"),
        (b'{"QueueUrl": "u", "MessageAttributeNames": "All"}', "SerializationException", "START_ARRAY"),
    ],
)
def test_malformed_bodies(body: bytes, code: str, fragment: str) -> None:
    with pytest.raises(ServiceError) as caught:
        server_parse("json", _fake("sqs"), _json_request(body))
    assert (caught.value.code, caught.value.status) == (code, 400)
    assert fragment in caught.value.message


def test_bad_base64_and_timestamps() -> None:
    blob = HttpRequest(
        "POST",
        "/",
        "",
        {"x-amz-target": "DynamoDB_20120810.PutItem"},
        b'{"TableName": "t", "Item": {"a": {"B": "not base64!"}}}',
    )
    with pytest.raises(ServiceError) as caught:
        server_parse("json", _fake("dynamodb"), blob)
    assert caught.value.code == "SerializationException" and "base64" in caught.value.message
    events = HttpRequest(
        "POST", "/", "", {"x-amz-target": "AWSEvents.PutEvents"}, b'{"Entries": [{"Time": "the day after"}]}'
    )
    with pytest.raises(ServiceError) as caught:
        server_parse("json", _fake("events"), events)
    assert caught.value.code == "SerializationException" and "timestamp" in caught.value.message


def test_wrong_content_type_is_rejected_and_missing_is_accepted() -> None:
    with pytest.raises(ServiceError) as caught:
        server_parse("json", _fake("sqs"), _json_request(b"QueueUrl=u", "application/x-www-form-urlencoded"))
    assert (caught.value.code, caught.value.status) == ("UnsupportedMediaTypeException", 415)
    _, params = server_parse("json", _fake("sqs"), _json_request(b'{"QueueUrl": "u"}', ""))
    assert params == {"QueueUrl": "u"}
    _, params = server_parse("json", _fake("sqs"), _json_request(b"", "application/json"))
    assert params == {}
