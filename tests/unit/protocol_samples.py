"""Shared by the protocol round-trip tests: sample values for any shape, and the plumbing
between botocore's serializers/parsers and postoffice's protocols (no server involved).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import quote, unquote, urlencode

import botocore.parsers
import botocore.serialize
from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel, Shape
from botocore.response import StreamingBody

from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.protocol.models import service_model
from postoffice.protocol.registry import protocol

MOMENT = dt.datetime(2024, 2, 29, 13, 14, 15, tzinfo=dt.UTC)
TEXT = 'a&b <c> "d" \u00e9\u4e2d'
HEADER_TEXT = "plain-ascii value"
MAX_DEPTH = 5


class FakeService:
    """What a protocol reads from a Service, without the rest of a running system."""

    def __init__(
        self, name: str, query_error_codes: dict[str, str] | None = None, json_error_namespace: str | None = None
    ) -> None:
        self.name = name
        self.model_name = name
        self.model = service_model(name)
        self.query_error_codes = query_error_codes or {}
        self.json_error_namespace = json_error_namespace

    @property
    def query_compatible(self) -> bool:
        return "awsQueryCompatible" in self.model.metadata


def sample(shape: Shape, depth: int = 0, in_header: bool = False) -> Any:
    kind = shape.type_name
    location = shape.serialization.get("location")
    in_header = in_header or location in ("header", "headers")
    if kind == "structure":
        if shape.metadata.get("document"):
            return {"doc": [1, "two", True]}
        members = {}
        for name, member in shape.members.items():
            if member.serialization.get("eventstream") or member.metadata.get("eventstream"):
                continue
            if member.type_name in ("structure", "list", "map") and depth >= MAX_DEPTH:
                continue
            if member.serialization.get("location") == "statusCode":
                members[name] = 200
                continue
            members[name] = sample(member, depth + 1, in_header)
            if shape.metadata.get("union"):
                break
        return members
    if kind == "list":
        return [sample(shape.member, depth + 1, in_header), sample(shape.member, depth + 1, in_header)]
    if kind == "map":
        key = shape.key.enum[0] if shape.key.enum else "key-1"
        return {key: sample(shape.value, depth + 1, in_header)}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        if shape.serialization.get("jsonvalue"):
            return {"json": ["value", 1]}
        return HEADER_TEXT if in_header else TEXT
    if kind == "integer":
        return 42
    if kind == "long":
        return 2**40 + 7
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return MOMENT
    if kind == "blob":
        return b"\x00\x01 bin \xff"
    return "x"


def internal(value: Any) -> Any:
    """A sample as postoffice holds it: epoch-second timestamps, bytes blobs."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: internal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [internal(item) for item in value]
    return value


def _query_string(query: Any) -> str:
    if isinstance(query, dict):
        return urlencode(query, doseq=True, quote_via=quote)
    return query or ""


def to_http_request(serialized: dict[str, Any]) -> HttpRequest:
    """botocore's serialized request dict as the HTTP request the server would see."""
    url_path = serialized["url_path"]
    raw_path, _, literal_query = url_path.partition("?")
    query = "&".join(part for part in (literal_query, _query_string(serialized["query_string"])) if part)
    body = serialized["body"]
    if isinstance(body, dict):
        body = urlencode(body, quote_via=quote).encode()
    elif isinstance(body, str):
        body = body.encode()
    headers = {name.lower(): str(value) for name, value in serialized["headers"].items()}
    return HttpRequest(
        method=serialized["method"],
        path=unquote(raw_path),
        query_string=query,
        headers=headers,
        body=body or b"",
        raw_path=raw_path,
    )


def client_request(protocol_name: str, operation: OperationModel, params: dict[str, Any]) -> HttpRequest:
    serializer = botocore.serialize.create_serializer(protocol_name, include_validation=False)
    return to_http_request(serializer.serialize_to_request(params, operation))


def server_parse(protocol_name: str, service: FakeService, request: HttpRequest) -> tuple[str, dict[str, Any]]:
    wire = protocol(protocol_name)
    name = wire.operation_name(service, request)  # type: ignore[arg-type]
    operation = service.model.operation_model(name)
    return name, wire.parse(service, operation, request)  # type: ignore[arg-type]


def context(service: str) -> RequestContext:
    return RequestContext(service=service, account="000000000000", region="us-east-1", request_id="req-1234")


def client_parse(
    protocol_name: str, response: HttpResponse, shape: Shape | None, streaming: bool = False
) -> dict[str, Any]:
    """As botocore's endpoint hands a response to its parser (a stream for streaming payloads)."""
    headers = HeadersDict({"content-type": response.content_type})
    for name, value in response.headers:
        headers[name] = value
    body: Any = response.body
    if streaming and response.status < 300:
        body = StreamingBody(io.BytesIO(response.body), len(response.body))
    parser = botocore.parsers.create_parser(protocol_name)
    return parser.parse({"body": body, "headers": headers, "status_code": response.status}, shape)


def server_result(protocol_name: str, service: FakeService, operation: OperationModel, result: dict[str, Any]) -> Any:
    wire = protocol(protocol_name)
    response = wire.serialize(service, operation, internal(result), context(service.name))  # type: ignore[arg-type]
    return response


def server_error(protocol_name: str, service: FakeService, error: ServiceError) -> HttpResponse:
    return protocol(protocol_name).serialize_error(service, error, context(service.name))  # type: ignore[arg-type]


def normalized(value: Any) -> Any:
    """A botocore-parsed answer comparable with a sample: no metadata, datetimes as epochs."""
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return value


def model_with_overlay(name: str) -> Any:
    """The current model with its query overlay applied as real model traits, for botocore's
    own query serializer and parser (SQS's wire as the last query-protocol SDKs spoke it)."""
    from botocore.model import ServiceModel

    return ServiceModel(overlay_model_data(name), service_name=name)


def overlay_model_data(name: str) -> dict[str, Any]:
    import copy
    import json

    from botocore.loaders import Loader

    from postoffice.protocol.query_names import OVERLAYS

    data = copy.deepcopy(Loader().load_service_model(name, "service-2"))
    overlay = json.loads((OVERLAYS / f"{name}.json").read_text())
    data["metadata"]["protocol"] = "query"
    data["metadata"]["protocols"] = ["query"]
    data["metadata"]["xmlNamespace"] = overlay["xmlNamespace"]
    shapes = data["shapes"]
    for operation, wrapper in overlay["resultWrappers"].items():
        data["operations"][operation]["output"]["resultWrapper"] = wrapper
    for key, traits in overlay["members"].items():
        structure, _, member = key.partition(".")
        ref = shapes[structure]["members"][member]
        if "name" in traits:
            ref["locationName"] = traits["name"]
        if "flattened" in traits:
            ref["flattened"] = traits["flattened"]
    for shape_name, traits in overlay["lists"].items():
        if "member" in traits:
            shapes[shape_name]["member"]["locationName"] = traits["member"]
        if "flattened" in traits:
            shapes[shape_name]["flattened"] = traits["flattened"]
    for shape_name, traits in overlay["maps"].items():
        for part in ("key", "value"):
            if part in traits:
                shapes[shape_name][part]["locationName"] = traits[part]
        if "flattened" in traits:
            shapes[shape_name]["flattened"] = traits["flattened"]
    data["metadata"].pop("awsQueryCompatible", None)
    data["metadata"].pop("targetPrefix", None)
    data["metadata"].pop("jsonVersion", None)
    return data
