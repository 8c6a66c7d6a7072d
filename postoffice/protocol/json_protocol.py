"""AWS JSON 1.0 and 1.1: POST /, X-Amz-Target: <targetPrefix>.<Operation>, JSON bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from botocore.model import OperationModel

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.codec import Decoder, Encoder, decode, decoder_for, encoder_for
from postoffice.protocol.context import RequestContext
from postoffice.protocol.error_info import WireError, wire_error
from postoffice.protocol.errors import ServiceError, serialization_error, unsupported_media_type
from postoffice.protocol.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from postoffice.services.base import Service

NOT_AN_OBJECT = "Start of structure or map found where not expected."
_content_types: dict[Any, str] = {}  # per service model


def json_body(body: bytes) -> dict[str, Any]:
    """A request body that must be a JSON object; empty is {}."""
    if not body or body.isspace():
        return {}
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise serialization_error(NOT_AN_OBJECT) from None
    if not isinstance(data, dict):
        raise serialization_error(NOT_AN_OBJECT)
    return data


_JSON_MEDIA_CACHE_SIZE = 64
_json_media: set[str] = set()  # Content-Type values already found to be JSON


def _document(request: HttpRequest) -> dict[str, Any]:
    content_type = request.headers.get("content-type")
    if content_type and content_type not in _json_media:
        if "json" not in content_type.lower():
            raise unsupported_media_type(request.content_type)
        if len(_json_media) < _JSON_MEDIA_CACHE_SIZE:
            _json_media.add(content_type)
    return json_body(request.body)


@dataclass(frozen=True, slots=True)
class Plan:
    """What the protocol needs of one operation on every request, found once."""

    operation: OperationModel
    decoder: Decoder | None  # the checked decoder of the input (codec.decoder_for); None: no input
    encoder: Encoder | None  # None: results go out as they are
    has_output: bool


_plans: dict[int, Plan] = {}


def plan_for(operation: OperationModel) -> Plan:
    plan = _plans.get(id(operation))
    if plan is None or plan.operation is not operation:
        shape, output = operation.input_shape, operation.output_shape
        decoder = decoder_for(shape, checked=True) if shape is not None else None
        encoder = encoder_for(output) if output is not None else None
        plan = _plans[id(operation)] = Plan(operation, decoder, encoder, output is not None)
    return plan


def error_document(wire: WireError, code: str) -> dict[str, Any]:
    """`__type`, the message under the shape's own key, and the error's extra members."""
    payload: dict[str, Any] = {"__type": code, wire.message_key: wire.message}
    if wire.fields:
        fields = wire.fields
        if wire.shape is not None:
            encoder = encoder_for(wire.shape)
            if encoder is not None:
                fields = encoder(fields)
        payload.update(fields)
    return payload


class JsonProtocol(WireProtocol):
    name = "json"

    def operation_name(self, service: Service, request: HttpRequest) -> str:
        target = request.headers.get("x-amz-target", "")
        prefix, _, operation = target.rpartition(".")
        return operation if prefix else ""

    def parse(self, service: Service, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        return decode(operation.input_shape, _document(request))

    def parse_checked(
        self, service: Service, operation: OperationModel, request: HttpRequest
    ) -> tuple[dict[str, Any], bool]:
        """As codec.decode_checked, with the decoder found by the operation."""
        document = _document(request)
        decoder = plan_for(operation).decoder
        if decoder is None:
            return {}, True
        misses: list[Any] = []
        params = decoder(document, misses)
        return params, not misses

    def content_type(self, service: Service) -> str:
        found = _content_types.get(service.model)
        if found is None:
            found = f"application/x-amz-json-{service.model.metadata.get('jsonVersion', '1.0')}"
            _content_types[service.model] = found
        return found

    def serialize(
        self, service: Service, operation: OperationModel, result: dict[str, Any], ctx: RequestContext
    ) -> HttpResponse:
        plan = plan_for(operation)
        if plan.has_output:
            if result is None:
                result = {}
            body = orjson.dumps(result if plan.encoder is None else plan.encoder(result))
        else:
            body = b"{}"
        return HttpResponse(200, body, [("x-amzn-RequestId", ctx.request_id)], self.content_type(service))

    def serialize_error(self, service: Service, error: ServiceError, ctx: RequestContext) -> HttpResponse:
        wire = wire_error(service, error)
        namespace = service.json_error_namespace
        payload = error_document(wire, f"{namespace}#{wire.code}" if namespace else wire.code)
        headers = [("x-amzn-RequestId", ctx.request_id), ("x-amzn-ErrorType", wire.code)]
        if service.query_compatible:
            headers.append(("x-amzn-query-error", f"{wire.query_code};{wire.fault}"))
        return HttpResponse(wire.status, orjson.dumps(payload), headers, self.content_type(service))
