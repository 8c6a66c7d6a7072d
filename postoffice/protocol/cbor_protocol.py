"""Smithy RPC v2 CBOR (CloudWatch): POST /service/<targetPrefix>/operation/<Operation> with
`smithy-protocol: rpc-v2-cbor` and a CBOR body. Timestamps are tag 1 epoch seconds, blobs
byte strings; errors carry `__type` in the body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import cbor2
from botocore.model import OperationModel

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.codec import cbor_encoder_for, decode, decode_checked, encode_cbor
from postoffice.protocol.context import RequestContext
from postoffice.protocol.error_info import wire_error
from postoffice.protocol.errors import ServiceError, serialization_error, unsupported_media_type
from postoffice.protocol.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from postoffice.services.base import Service

CBOR = "application/cbor"
_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
_NOT_A_MAP = "The request body is not a CBOR map."


def cbor_body(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        data = cbor2.loads(body)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError):
        raise serialization_error("The request body is not valid CBOR.") from None
    if not isinstance(data, dict):
        raise serialization_error(_NOT_A_MAP)
    return data


class RpcV2CborProtocol(WireProtocol):
    name = "smithy-rpc-v2-cbor"

    def operation_name(self, service: Service, request: HttpRequest) -> str:
        match = _PATH.match(request.path)
        return match.group(2) if match else ""

    def parse(self, service: Service, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        return decode(operation.input_shape, self._document(request))

    def parse_checked(
        self, service: Service, operation: OperationModel, request: HttpRequest
    ) -> tuple[dict[str, Any], bool]:
        return decode_checked(operation.input_shape, self._document(request))

    @staticmethod
    def _document(request: HttpRequest) -> dict[str, Any]:
        content_type = request.content_type
        if request.body and content_type != CBOR:
            raise unsupported_media_type(content_type)
        return cbor_body(request.body)

    def _headers(self, ctx: RequestContext) -> list[tuple[str, str]]:
        return [("x-amzn-RequestId", ctx.request_id), ("smithy-protocol", "rpc-v2-cbor")]

    def serialize(
        self, service: Service, operation: OperationModel, result: dict[str, Any], ctx: RequestContext
    ) -> HttpResponse:
        body = cbor2.dumps(encode_cbor(operation.output_shape, result) if operation.output_shape else {})
        return HttpResponse(200, body, self._headers(ctx), CBOR)

    def serialize_error(self, service: Service, error: ServiceError, ctx: RequestContext) -> HttpResponse:
        wire = wire_error(service, error)
        namespace = service.json_error_namespace
        fields = wire.fields
        if fields and wire.shape is not None:
            encoder = cbor_encoder_for(wire.shape)
            if encoder is not None:
                fields = encoder(fields)
        document = {"__type": f"{namespace}#{wire.code}" if namespace else wire.code, **fields}
        document[wire.message_key] = wire.message
        headers = self._headers(ctx)
        if service.query_compatible:
            headers.append(("x-amzn-query-error", f"{wire.query_code};{wire.fault}"))
        return HttpResponse(wire.status, cbor2.dumps(document), headers, CBOR)
