"""Smithy RPC v2 CBOR (CloudWatch) against botocore's serializer and parser: every operation,
tag-1 timestamps, byte-string blobs, `__type` errors with query-compatible codes."""

from __future__ import annotations

import struct

import cbor2
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

from postoffice.protocol.cbor_protocol import RpcV2CborProtocol
from postoffice.protocol.errors import ServiceError
from postoffice.protocol.http import HttpRequest
from postoffice.protocol.models import service_model

CBOR = RpcV2CborProtocol()
CLOUDWATCH = FakeService("cloudwatch")


def _operations() -> list[str]:
    return list(service_model("cloudwatch").operation_names)


@pytest.mark.parametrize("operation", _operations())
def test_request_parameters_round_trip(operation: str) -> None:
    model = service_model("cloudwatch").operation_model(operation)
    params = sample(model.input_shape) if model.input_shape is not None else {}
    request = client_request("smithy-rpc-v2-cbor", model, params)
    assert request.path == f"/service/GraniteServiceVersion20100801/operation/{operation}"
    assert request.headers["smithy-protocol"] == "rpc-v2-cbor"
    name, parsed = server_parse("smithy-rpc-v2-cbor", CLOUDWATCH, request)
    assert name == operation
    assert parsed == internal(params)


@pytest.mark.parametrize("operation", _operations())
def test_results_parse_in_botocore(operation: str) -> None:
    model = service_model("cloudwatch").operation_model(operation)
    result = sample(model.output_shape) if model.output_shape is not None else {}
    response = CBOR.serialize(CLOUDWATCH, model, internal(result), context("cloudwatch"))  # type: ignore[arg-type]
    assert response.content_type == "application/cbor"
    assert ("smithy-protocol", "rpc-v2-cbor") in response.headers
    parsed = client_parse("smithy-rpc-v2-cbor", response, model.output_shape)
    assert normalized(parsed) == internal(result)


def test_timestamps_are_tag_one_and_blobs_byte_strings() -> None:
    model = service_model("cloudwatch").operation_model("GetMetricData")
    result = {"MetricDataResults": [{"Id": "m", "Timestamps": [1700000000.5], "Values": [1.0]}]}
    response = CBOR.serialize(CLOUDWATCH, model, result, context("cloudwatch"))  # type: ignore[arg-type]
    assert b"\xc1\xfb" + struct.pack(">d", 1700000000.5) in response.body
    assert cbor2.loads(response.body)["MetricDataResults"][0]["Timestamps"][0].timestamp() == 1700000000.5
    image = service_model("cloudwatch").operation_model("GetMetricWidgetImage")
    response = CBOR.serialize(CLOUDWATCH, image, {"MetricWidgetImage": b"\x89PNG"}, context("cloudwatch"))  # type: ignore[arg-type]
    assert cbor2.loads(response.body) == {"MetricWidgetImage": b"\x89PNG"}


@pytest.mark.parametrize("shape", [shape.name for shape in service_model("cloudwatch").error_shapes])
def test_modeled_errors_reach_botocore(shape: str) -> None:
    meta = service_model("cloudwatch").shape_for(shape).metadata.get("error", {})
    response = server_error("smithy-rpc-v2-cbor", CLOUDWATCH, ServiceError(shape, "nope"))
    parsed = client_parse("smithy-rpc-v2-cbor", response, None)
    assert response.status == meta.get("httpStatusCode", 400)
    assert parsed["Error"]["Code"] == meta.get("code", shape)
    assert parsed["Error"]["QueryErrorCode"] == shape
    assert parsed["Error"]["Message"] == "nope"
    assert ("smithy-protocol", "rpc-v2-cbor") in response.headers


def _cbor_request(body: bytes, content_type: str = "application/cbor") -> HttpRequest:
    headers = {"smithy-protocol": "rpc-v2-cbor", "content-type": content_type}
    return HttpRequest("POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "", headers, body)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"\xff\xff\xff", "not valid CBOR"),
        (cbor2.dumps([1, 2]), "not a CBOR map"),
        (cbor2.dumps({"Namespace": 7}), "VALUE_NUMBER_INT where VALUE_STRING"),
        (cbor2.dumps({"Namespace": "n", "Dimensions": {"a": 1}}), "START_ARRAY"),
        (b"\xa1", "not valid CBOR"),
    ],
)
def test_malformed_bodies(body: bytes, fragment: str) -> None:
    with pytest.raises(ServiceError) as caught:
        server_parse("smithy-rpc-v2-cbor", CLOUDWATCH, _cbor_request(body))
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)
    assert fragment in caught.value.message


def test_wrong_content_type_and_empty_body() -> None:
    with pytest.raises(ServiceError) as caught:
        server_parse("smithy-rpc-v2-cbor", CLOUDWATCH, _cbor_request(b"{}", "application/json"))
    assert (caught.value.code, caught.value.status) == ("UnsupportedMediaTypeException", 415)
    assert server_parse("smithy-rpc-v2-cbor", CLOUDWATCH, _cbor_request(b"", ""))[1] == {}
