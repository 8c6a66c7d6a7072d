"""AWS rest-json (Lambda, API Gateway, Scheduler): the operation is the method and path,
members live in the URI, the query string, headers or the JSON body as the model places them.

Each operation's input binding and output rendering is compiled once: which members come
from path labels, query parameters and headers (converted from text to their types), and
whether the body is a JSON structure or a raw `payload` member (Lambda's Invoke).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import orjson
from botocore.model import OperationModel, Shape

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.codec import decode, decoder_for, encode, encoder_for, integer_bounds, parse_timestamp
from postoffice.protocol.context import RequestContext
from postoffice.protocol.error_info import error_model, wire_error
from postoffice.protocol.errors import ServiceError, serialization_error, unknown_route
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.protocol.json_protocol import json_body
from postoffice.protocol.models import operation_model
from postoffice.protocol.rest_routes import route_table
from postoffice.protocol.shapes import body_members

if TYPE_CHECKING:
    from postoffice.services.base import Service

JSON = "application/json"
_LABELS = "rest.labels"

FromText = Callable[[str], Any]
ToText = Callable[[Any], str]


# Text <-> typed values (path labels, query parameters, headers) -------------------------


def _bad(value: str, name: str) -> ServiceError:
    return serialization_error(f"Invalid value '{value}' for {name}")


def from_text(shape: Shape, name: str, header: bool = False) -> FromText:
    kind = shape.type_name
    if kind in ("integer", "long"):
        low, high = integer_bounds(shape)

        def to_int(text: str) -> int:
            try:
                value = int(text.strip())
            except ValueError:
                raise _bad(text, name) from None
            if value < low or value > high:
                raise _bad(text, name)
            return value

        return to_int
    if kind in ("float", "double"):

        def to_float(text: str) -> float:
            try:
                return float(text)
            except ValueError:
                raise _bad(text, name) from None

        return to_float
    if kind == "boolean":

        def to_bool(text: str) -> bool:
            lowered = text.strip().lower()
            if lowered not in ("true", "false"):
                raise _bad(text, name)
            return lowered == "true"

        return to_bool
    if kind == "timestamp":

        def to_timestamp(text: str) -> float:
            try:
                return parse_timestamp(text)
            except (ValueError, TypeError, OverflowError, IndexError):
                raise _bad(text, name) from None

        return to_timestamp
    if kind == "blob":

        def to_blob(text: str) -> bytes:
            try:
                return base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise _bad(text, name) from None

        return to_blob
    if kind == "list" and header:
        item = from_text(shape.member, name)
        return lambda text: [item(part) for part in _split_header_list(text)]
    if header and shape.serialization.get("jsonvalue"):

        def to_json(text: str) -> Any:
            try:
                return json.loads(base64.b64decode(text, validate=True))
            except (binascii.Error, ValueError):
                raise _bad(text, name) from None

        return to_json
    return lambda text: text


def _split_header_list(text: str) -> list[str]:
    items, current, quoted, escaped = [], [], False, False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def to_text(shape: Shape, header: bool = True) -> ToText:
    kind = shape.type_name
    if kind == "boolean":
        return lambda value: "true" if value else "false"
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", "rfc822" if header else "iso8601")
        return lambda value: _timestamp_text(value, fmt)
    if kind in ("float", "double"):
        return _float_text
    if kind == "list":
        item = to_text(shape.member, header)
        return lambda value: ",".join(item(part) for part in value if part is not None)
    if kind == "blob":
        return lambda value: base64.b64encode(value if isinstance(value, bytes) else str(value).encode()).decode()
    if shape.serialization.get("jsonvalue"):
        return lambda value: base64.b64encode(orjson.dumps(value)).decode()
    return str


def _float_text(value: Any) -> str:
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def _timestamp_text(value: Any, fmt: str) -> str:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    else:
        moment = dt.datetime.fromtimestamp(parse_timestamp(value), dt.UTC)
    if fmt == "unixTimestamp":
        return str(int(moment.timestamp()) if moment.microsecond == 0 else moment.timestamp())
    if fmt == "iso8601":
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


# Compiled per operation -----------------------------------------------------------------


@dataclass(frozen=True)
class InputBinding:
    uri: tuple[tuple[str, str, FromText], ...]
    query: tuple[tuple[str, str, FromText, bool], ...]
    query_map: tuple[str, bool] | None
    headers: tuple[tuple[str, str, FromText], ...]
    header_maps: tuple[tuple[str, str], ...]
    payload: tuple[str, str, Shape] | None
    shape: Shape | None
    has_body: bool
    literal_query: frozenset[str] = frozenset()  # `?mode=import` in the request URI


@dataclass(frozen=True)
class OutputBinding:
    status_member: str | None
    status: int
    headers: tuple[tuple[str, str, ToText], ...]
    header_maps: tuple[tuple[str, str], ...]
    payload: tuple[str, str, Shape] | None
    shape: Shape | None
    has_body: bool


def _payload(shape: Shape) -> tuple[str, str, Shape] | None:
    name = shape.serialization.get("payload")
    if name is None:
        return None
    member = shape.members[name]
    return name, member.type_name, member


def input_binding(shape: Shape | None, request_uri: str = "/") -> InputBinding:
    literal_query = frozenset(item.partition("=")[0] for item in request_uri.partition("?")[2].split("&") if item)
    if shape is None:
        return InputBinding((), (), None, (), (), None, None, False, literal_query)
    uri, query, headers, header_maps = [], [], [], []
    query_map = None
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            uri.append((name, wire, from_text(member, wire)))
        elif location == "querystring":
            if member.type_name == "map":
                query_map = (name, member.value.type_name == "list")
            elif member.type_name == "list":
                query.append((name, wire, from_text(member.member, wire), True))
            else:
                query.append((name, wire, from_text(member, wire), False))
        elif location == "header":
            headers.append((name, wire.lower(), from_text(member, wire, header=True)))
        elif location == "headers":
            header_maps.append((name, wire.lower()))
    payload = _payload(shape)
    return InputBinding(
        tuple(uri),
        tuple(query),
        query_map,
        tuple(headers),
        tuple(header_maps),
        payload,
        shape,
        payload is None and bool(body_members(shape)),
        literal_query,
    )


def output_binding(shape: Shape | None, status: int) -> OutputBinding:
    if shape is None:
        return OutputBinding(None, status, (), (), None, None, False)
    status_member = None
    headers, header_maps = [], []
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "statusCode":
            status_member = name
        elif location == "header":
            headers.append((name, wire, to_text(member)))
        elif location == "headers":
            header_maps.append((name, wire))
    payload = _payload(shape)
    return OutputBinding(
        status_member,
        status,
        tuple(headers),
        tuple(header_maps),
        payload,
        shape,
        payload is None and bool(body_members(shape)),
    )


@cache
def _bindings(model_name: str, operation: str) -> tuple[InputBinding, OutputBinding]:
    model = operation_model(model_name, operation)
    assert model is not None
    http = model.http
    return (
        input_binding(model.input_shape, http.get("requestUri", "/")),
        output_binding(model.output_shape, http.get("responseCode", 200)),
    )


def _query_dict(request: HttpRequest) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for key, value in request.query:
        query.setdefault(key, []).append(value)
    return query


def bind_request(binding: InputBinding, request: HttpRequest, labels: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if binding.has_body:
        params = decode(binding.shape, json_body(request.body))
    elif binding.payload is not None and request.body:
        name, kind, member = binding.payload
        if kind == "blob":
            params[name] = request.body
        elif kind == "string":
            try:
                params[name] = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise serialization_error("The request body is not valid UTF-8.") from None
        elif not request.body.isspace():
            params[name] = decoder_for(member)(json_body(request.body), [])
    for name, label, convert in binding.uri:
        value = labels.get(label)
        if value is not None:
            params[name] = convert(value)
    if binding.query or binding.query_map:
        query = _query_dict(request)
        bound = set(binding.literal_query)
        for name, key, convert, many in binding.query:
            values = query.get(key)
            if values:
                bound.add(key)
                params[name] = [convert(v) for v in values] if many else convert(values[-1])
        if binding.query_map is not None:
            name, many = binding.query_map
            rest = {key: values if many else values[-1] for key, values in query.items() if key not in bound}
            if rest:
                params[name] = rest
    headers = request.headers
    for name, header, convert in binding.headers:
        value = headers.get(header)
        if value is not None:
            params[name] = convert(value)
    for name, prefix in binding.header_maps:
        found = {key[len(prefix) :]: value for key, value in headers.items() if key.startswith(prefix)}
        if found:
            params[name] = found
    return params


class RestJsonProtocol(WireProtocol):
    name = "rest-json"

    def operation_name(self, service: Service, request: HttpRequest) -> str:
        table = route_table(service.model_name or service.name)
        path = request.raw_path or request.path
        found = table.match(request.method, path, _query_dict(request))
        if found is None:
            raise unknown_route(request.method, request.path)
        request.memo[_LABELS] = found[1]
        return found[0]

    def parse(self, service: Service, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        binding = _bindings(service.model_name or service.name, operation.name)[0]
        return bind_request(binding, request, request.memo.get(_LABELS, {}))

    def serialize(
        self, service: Service, operation: OperationModel, result: dict[str, Any], ctx: RequestContext
    ) -> HttpResponse:
        binding = _bindings(service.model_name or service.name, operation.name)[1]
        response = HttpResponse(binding.status, b"", [("x-amzn-RequestId", ctx.request_id)], JSON)
        if binding.status_member is not None and result.get(binding.status_member) is not None:
            response.status = int(result[binding.status_member])
        _write_headers(response, binding.headers, binding.header_maps, result)
        if binding.payload is not None:
            name, kind, member = binding.payload
            value = result.get(name)
            if kind in ("blob", "string"):
                if value is not None:
                    response.body = value.encode() if isinstance(value, str) else bytes(value)
            elif value is not None:
                response.body = orjson.dumps(encode(member, value))
        elif binding.has_body:
            response.body = orjson.dumps(encode(binding.shape, result))
        return response

    def serialize_error(self, service: Service, error: ServiceError, ctx: RequestContext) -> HttpResponse:
        wire = wire_error(service, error)
        document: dict[str, Any] = {}
        response = HttpResponse(
            wire.status, b"", [("x-amzn-RequestId", ctx.request_id), ("x-amzn-ErrorType", wire.code)], JSON
        )
        fields = dict(wire.fields)
        if wire.shape is not None:
            members = wire.shape.members
            if "Type" in members and "Type" not in fields:
                fields["Type"] = "User" if wire.sender_fault else "Service"
            binding = _error_binding(service.model_name or service.name, wire.code)
            _write_headers(response, binding.headers, binding.header_maps, fields)
            located = _located(wire.shape)
            fields = {name: value for name, value in fields.items() if name not in located}
            encoder = encoder_for(wire.shape)
            if encoder is not None:
                fields = encoder(fields)
        document.update(fields)
        document[wire.message_key] = wire.message
        response.body = orjson.dumps(document)
        return response


@cache
def _located(shape: Shape) -> frozenset[str]:
    return frozenset(name for name, member in shape.members.items() if member.serialization.get("location"))


@cache
def _error_binding(model_name: str, code: str) -> OutputBinding:
    return output_binding(error_model(model_name, code).shape, 400)


def _write_headers(
    response: HttpResponse,
    headers: tuple[tuple[str, str, ToText], ...],
    header_maps: tuple[tuple[str, str], ...],
    values: dict[str, Any],
) -> None:
    for name, header, render in headers:
        value = values.get(name)
        if value is None:
            continue
        text = render(value)
        if header.lower() == "content-type":
            response.content_type = text
        else:
            response.headers.append((header, text))
    for name, prefix in header_maps:
        for key, value in (values.get(name) or {}).items():
            response.headers.append((f"{prefix}{key}", str(value)))
