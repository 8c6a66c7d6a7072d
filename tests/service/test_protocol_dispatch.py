"""Whole requests through the Application (router, protocol, validation, dispatch) with small
test-only services, in process: every protocol in both directions, as botocore sends and
reads them, and what a malformed request gets back."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import botocore.serialize
import cbor2
import orjson
import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))

from protocol_samples import client_parse, normalized, to_http_request  # noqa: E402

from postoffice.config import Settings  # noqa: E402
from postoffice.protocol.context import RequestContext  # noqa: E402
from postoffice.protocol.errors import ServiceError  # noqa: E402
from postoffice.protocol.http import HttpRequest, HttpResponse  # noqa: E402
from postoffice.protocol.models import service_model  # noqa: E402
from postoffice.server.app import Application  # noqa: E402
from postoffice.server.main import build_system  # noqa: E402
from postoffice.services.base import Service  # noqa: E402

Params = dict[str, Any]


class QueueStub(Service):
    name = "sqs"
    protocols = ("json", "query")
    json_error_namespace = "com.amazonaws.sqs"
    query_error_codes = {"QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue"}

    def GetQueueUrl(self, ctx: RequestContext, params: Params) -> Params:
        if params["QueueName"] != "orders":
            raise ServiceError("QueueDoesNotExist", "The specified queue does not exist.")
        return {"QueueUrl": "http://localhost/000000000000/orders"}

    async def SendMessage(self, ctx: RequestContext, params: Params) -> Params:
        return {"MessageId": "m-1", "MD5OfMessageBody": "md5"}

    def ReceiveMessage(self, ctx: RequestContext, params: Params) -> Params:
        return {
            "Messages": [
                {"MessageId": "m-1", "Body": "<hi>", "Attributes": {"SentTimestamp": "1"}, "ReceiptHandle": "r"}
            ]
        }


class FunctionStub(Service):
    name = "lambda"
    protocols = ("rest-json",)

    def GetFunction(self, ctx: RequestContext, params: Params) -> Params:
        if params["FunctionName"] != "f":
            raise ServiceError("ResourceNotFoundException", f"Function not found: {params['FunctionName']}")
        return {"Configuration": {"FunctionName": "f", "MemorySize": 128}, "Tags": {"team": "blue"}}

    def Invoke(self, ctx: RequestContext, params: Params) -> Params:
        return {"StatusCode": 200, "Payload": params.get("Payload", b"") + b"!", "ExecutedVersion": "$LATEST"}

    def DeleteFunction(self, ctx: RequestContext, params: Params) -> Params:
        return {"StatusCode": 204}


class MetricsStub(Service):
    name = "cloudwatch"
    protocols = ("smithy-rpc-v2-cbor", "json", "query")

    def PutMetricData(self, ctx: RequestContext, params: Params) -> None:
        if params["Namespace"] == "AWS/Reserved":
            raise ServiceError("InvalidParameterValueException", "The value AWS/ for parameter Namespace is invalid.")

    def ListMetrics(self, ctx: RequestContext, params: Params) -> Params:
        return {"Metrics": [{"Namespace": "app", "MetricName": "latency", "Dimensions": [{"Name": "a", "Value": "b"}]}]}


@pytest.fixture(scope="module")
def app() -> Application:
    system = build_system(Settings(store="memory"))
    system.services.clear()
    for cls in (QueueStub, FunctionStub, MetricsStub):
        service = cls(system)
        system.services[service.name] = service
    return Application(system)


def handle(app: Application, request: HttpRequest) -> HttpResponse:
    return asyncio.run(app.handle(request, "req-77"))


def call(app: Application, service: str, protocol: str, operation: str, params: Params) -> tuple[HttpResponse, Any]:
    model = service_model(service).operation_model(operation)
    serializer = botocore.serialize.create_serializer(protocol, include_validation=False)
    response = handle(app, to_http_request(serializer.serialize_to_request(params, model)))
    return response, client_parse(protocol, response, model.output_shape)


def test_sqs_json_round_trip_and_query_compatible_error(app: Application) -> None:
    response, parsed = call(app, "sqs", "json", "GetQueueUrl", {"QueueName": "orders"})
    assert response.status == 200 and parsed["QueueUrl"].endswith("/orders")
    response, parsed = call(app, "sqs", "json", "GetQueueUrl", {"QueueName": "nope"})
    assert response.status == 400
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert parsed["Error"]["QueryErrorCode"] == "QueueDoesNotExist"


def test_sqs_query_to_the_queue_url_path(app: Application) -> None:
    body = b"Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&AttributeName.1=All&MaxNumberOfMessages=2"
    request = HttpRequest(
        "POST", "/000000000000/orders", "", {"content-type": "application/x-www-form-urlencoded"}, body
    )
    response = handle(app, request)
    assert response.status == 200 and response.content_type == "text/xml"
    assert b"<Message><MessageId>m-1</MessageId><ReceiptHandle>r</ReceiptHandle><Body>&lt;hi&gt;</Body>" in (
        response.body
    )
    assert b"<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>" in response.body


def test_sqs_query_errors(app: Application) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    missing = handle(app, HttpRequest("POST", "/", "", headers, b"Action=GetQueueUrl&Version=2012-11-05&QueueName=x"))
    assert missing.status == 400
    assert b"<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in missing.body
    assert b"<Type>Sender</Type>" in missing.body and b"<RequestId>req-77</RequestId>" in missing.body
    unknown = handle(app, HttpRequest("POST", "/", "", headers, b"Action=DoIt&Version=2012-11-05"))
    assert unknown.status == 400
    assert b"<Code>InvalidAction</Code><Message>The action DoIt is not valid for this web service.</Message>" in (
        unknown.body
    )
    invalid = handle(
        app,
        HttpRequest("POST", "/", "", headers, b"Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&WaitTimeSeconds=x"),
    )
    assert invalid.status == 400 and b"<Code>InvalidParameterValue</Code>" in invalid.body


def test_lambda_found_by_path_without_a_signature(app: Application) -> None:
    response, parsed = call(app, "lambda", "rest-json", "GetFunction", {"FunctionName": "f"})
    assert response.status == 200
    assert parsed["Configuration"] == {"FunctionName": "f", "MemorySize": 128}
    response, parsed = call(app, "lambda", "rest-json", "GetFunction", {"FunctionName": "g"})
    assert response.status == 404
    assert parsed["Error"] == {"Code": "ResourceNotFoundException", "Message": "Function not found: g"}
    response, parsed = call(app, "lambda", "rest-json", "Invoke", {"FunctionName": "f", "Payload": b'{"a":1}'})
    assert response.status == 200 and response.body == b'{"a":1}!'
    assert parsed["ExecutedVersion"] == "$LATEST"
    response, _ = call(app, "lambda", "rest-json", "DeleteFunction", {"FunctionName": "f"})
    assert (response.status, response.body) == (204, b"")


def test_lambda_validation_uses_the_model_constraints(app: Application) -> None:
    response, parsed = call(app, "lambda", "rest-json", "ListFunctions", {"MaxItems": 100000})
    assert response.status == 400
    assert parsed["Error"]["Code"] == "ValidationException"
    assert "maxItems" in parsed["Error"]["Message"]


def test_unknown_rest_route(app: Application) -> None:
    response = handle(app, HttpRequest("PATCH", "/2015-03-31/functions/f", "", {}, b""))
    assert response.status == 404
    assert dict(response.headers)["x-amzn-ErrorType"] == "UnknownOperationException"


def test_cloudwatch_cbor_round_trip_and_error(app: Application) -> None:
    response, parsed = call(app, "cloudwatch", "smithy-rpc-v2-cbor", "ListMetrics", {})
    assert response.status == 200
    assert normalized(parsed) == {
        "Metrics": [{"Namespace": "app", "MetricName": "latency", "Dimensions": [{"Name": "a", "Value": "b"}]}]
    }
    data = [{"MetricName": "m", "Value": 1.5, "Timestamp": 1700000000}]
    response, parsed = call(
        app, "cloudwatch", "smithy-rpc-v2-cbor", "PutMetricData", {"Namespace": "AWS/Reserved", "MetricData": data}
    )
    assert response.status == 400
    assert parsed["Error"]["Code"] == "InvalidParameterValue"
    assert cbor2.loads(response.body)["__type"] == "InvalidParameterValueException"


def test_cloudwatch_speaks_query_and_json_too(app: Application) -> None:
    _, parsed = call(app, "cloudwatch", "query", "ListMetrics", {})
    assert normalized(parsed)["Metrics"][0]["MetricName"] == "latency"
    _, parsed = call(app, "cloudwatch", "json", "ListMetrics", {})
    assert normalized(parsed)["Metrics"][0]["MetricName"] == "latency"


def test_bad_json_bodies_never_reach_the_service(app: Application) -> None:
    headers = {"x-amz-target": "AmazonSQS.SendMessage", "content-type": "application/x-amz-json-1.0"}
    for body in (b"{", b"[]", b'{"QueueUrl": 1, "MessageBody": "x"}'):
        response = handle(app, HttpRequest("POST", "/", "", headers, body))
        assert response.status == 400
        assert orjson.loads(response.body)["__type"] == "com.amazonaws.sqs#SerializationException"
    unknown = handle(app, HttpRequest("POST", "/", "", {**headers, "x-amz-target": "AmazonSQS.Nope"}, b"{}"))
    assert unknown.status == 400
    assert orjson.loads(unknown.body)["__type"] == "com.amazonaws.sqs#UnknownOperationException"
