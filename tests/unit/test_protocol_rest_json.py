"""rest-json against botocore's serializer and parser for every operation of Lambda, API
Gateway and Scheduler: routing by method and path, labels, query strings, headers, payloads,
status codes, and error answers."""

from __future__ import annotations

from typing import Any

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
from postoffice.protocol.models import service_model
from postoffice.protocol.rest_json_protocol import RestJsonProtocol
from postoffice.protocol.rest_routes import compile_route, route_table

SERVICES = ["lambda", "apigateway", "scheduler"]
REST = RestJsonProtocol()


def _operations() -> list[tuple[str, str]]:
    return [(name, op) for name in SERVICES for op in service_model(name).operation_names]


def _streaming(shape: Any) -> str | None:
    """The payload member a client sends or reads as a raw stream (blob or string), if any."""
    if shape is None:
        return None
    payload = shape.serialization.get("payload")
    if payload and shape.members[payload].type_name in ("blob", "string"):
        return payload
    return None


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_request_routes_and_binds_every_member(service: str, operation: str) -> None:
    model = service_model(service).operation_model(operation)
    params = sample(model.input_shape) if model.input_shape is not None else {}
    name, parsed = server_parse("rest-json", FakeService(service), client_request("rest-json", model, params))
    assert name == operation
    assert parsed == internal(params)


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_results_parse_in_botocore(service: str, operation: str) -> None:
    model = service_model(service).operation_model(operation)
    shape = model.output_shape
    if shape is not None and any(m.serialization.get("eventstream") for m in shape.members.values()):
        pytest.skip("event streams are not a request/response body")
    result = sample(shape) if shape is not None else {}
    response = REST.serialize(FakeService(service), model, internal(result), context(service))  # type: ignore[arg-type]
    assert response.status == _expected_status(model, result)
    stream = _streaming(shape)
    parsed = client_parse("rest-json", response, shape, streaming=stream is not None)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1234"
    if stream is not None:
        raw = result.pop(stream, b"")
        assert parsed.pop(stream).read() == (raw.encode() if isinstance(raw, str) else raw)
    assert normalized(parsed) == internal(result)


def _expected_status(model: Any, result: dict[str, Any]) -> int:
    for name, member in model.output_shape.members.items() if model.output_shape else ():
        if member.serialization.get("location") == "statusCode" and name in result:
            return int(result[name])
    return int(model.http.get("responseCode", 200))


def _error_shapes() -> list[tuple[str, str]]:
    return [(name, shape.name) for name in SERVICES for shape in service_model(name).error_shapes]


@pytest.mark.parametrize(("service", "code"), _error_shapes())
def test_modeled_errors_reach_botocore(service: str, code: str) -> None:
    shape = service_model(service).shape_for(code)
    status = shape.metadata.get("error", {}).get("httpStatusCode", 400)
    response = server_error("rest-json", FakeService(service), ServiceError(code, "no such thing"))
    parsed = client_parse("rest-json", response, None)
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == "no such thing"
    assert response.status == status
    assert ("x-amzn-ErrorType", code) in response.headers
    document = orjson.loads(response.body)
    key = "message" if "message" in shape.members else ("Message" if "Message" in shape.members else "message")
    assert document[key] == "no such thing"


def test_lambda_errors_carry_type_and_retry_after_header() -> None:
    response = server_error(
        "rest-json",
        FakeService("lambda"),
        ServiceError(
            "TooManyRequestsException", "Rate exceeded", retryAfterSeconds="3", Reason="CallerRateLimitExceeded"
        ),
    )
    assert response.status == 429
    assert ("Retry-After", "3") in response.headers
    assert orjson.loads(response.body) == {
        "Type": "User",
        "Reason": "CallerRateLimitExceeded",
        "message": "Rate exceeded",
    }
    not_found = server_error("rest-json", FakeService("lambda"), ServiceError("ResourceNotFoundException", "gone"))
    assert not_found.status == 404
    assert orjson.loads(not_found.body) == {"Type": "User", "Message": "gone"}


def test_invoke_payload_is_the_raw_body_and_headers_are_bound() -> None:
    request = HttpRequest(
        "POST",
        "/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations",
        "Qualifier=live",
        {"x-amz-invocation-type": "Event", "x-amz-log-type": "Tail", "content-type": "application/octet-stream"},
        b"\x00not json",
        raw_path="/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations",
    )
    name, params = server_parse("rest-json", FakeService("lambda"), request)
    assert name == "Invoke"
    assert params == {
        "FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:f",
        "Qualifier": "live",
        "InvocationType": "Event",
        "LogType": "Tail",
        "Payload": b"\x00not json",
    }
    invoke = service_model("lambda").operation_model("Invoke")
    response = REST.serialize(FakeService("lambda"), invoke, {"StatusCode": 202, "Payload": b""}, context("lambda"))  # type: ignore[arg-type]
    assert (response.status, response.body) == (202, b"")


def test_query_literals_and_specific_routes_win() -> None:
    table = route_table("lambda")
    assert table.match("GET", "/2018-10-31/layers", {"find": ["LayerVersion"], "Arn": ["x"]})[0] == (
        "GetLayerVersionByArn"
    )
    assert table.match("GET", "/2018-10-31/layers", {})[0] == "ListLayers"
    assert table.match("GET", "/2015-03-31/functions/f/configuration", {})[0] == "GetFunctionConfiguration"
    assert table.match("GET", "/2015-03-31/functions/f", {})[0] == "GetFunction"
    assert table.match("GET", "/2015-03-31/functions/", {})[0] == "ListFunctions"
    assert table.match("PATCH", "/2015-03-31/functions/f", {}) is None
    gateway = route_table("apigateway")
    assert gateway.match("POST", "/restapis", {"mode": ["import"]})[0] == "ImportRestApi"
    assert gateway.match("POST", "/restapis", {})[0] == "CreateRestApi"


def test_greedy_labels_and_encoded_slashes() -> None:
    route = compile_route("GetObject", "/{Bucket}/{Key+}")
    assert route.match("/b/a/b%20c/d", {}) == {"Bucket": "b", "Key": "a/b c/d"}
    single = compile_route("GetThing", "/things/{Name}")
    assert single.match("/things/a%2Fb", {}) == {"Name": "a/b"}
    assert single.match("/things/a/b", {}) is None


def test_unknown_route_is_a_404_unknown_operation() -> None:
    request = HttpRequest("GET", "/2015-03-31/nothing-here", "", {}, b"")
    with pytest.raises(ServiceError) as caught:
        server_parse("rest-json", FakeService("lambda"), request)
    assert (caught.value.code, caught.value.status) == ("UnknownOperationException", 404)


@pytest.mark.parametrize(
    ("request_", "fragment"),
    [
        (HttpRequest("POST", "/2015-03-31/functions", "", {}, b"{not json"), "Start of structure"),
        (HttpRequest("POST", "/2015-03-31/functions", "", {}, b"[1, 2]"), "Start of structure"),
        (HttpRequest("POST", "/2015-03-31/functions", "", {}, b'{"MemorySize": "big"}'), "VALUE_STRING"),
        (HttpRequest("POST", "/2015-03-31/functions", "", {}, b'{"MemorySize": 4294967296}'), "out of range of int"),
        (HttpRequest("GET", "/2015-03-31/functions", "MaxItems=ten", {}, b""), "Invalid value 'ten' for MaxItems"),
        (HttpRequest("GET", "/2015-03-31/functions", "MaxItems=99999999999", {}, b""), "for MaxItems"),
        (HttpRequest("POST", "/2015-03-31/functions", "", {}, b'{"Code": {"ZipFile": "%%%"}}'), "base64"),
    ],
)
def test_malformed_requests_are_serialization_errors(request_: HttpRequest, fragment: str) -> None:
    with pytest.raises(ServiceError) as caught:
        server_parse("rest-json", FakeService("lambda"), request_)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)
    assert fragment in caught.value.message
