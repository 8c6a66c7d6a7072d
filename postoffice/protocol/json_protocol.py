"""AWS JSON 1.0 and 1.1: POST /, X-Amz-Target: <targetPrefix>.<Operation>, JSON bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from botocore.model import OperationModel

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.codec import decode, encode
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError, serialization_error
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.protocol.models import error_wire_code

if TYPE_CHECKING:
    from postoffice.services.base import Service


class JsonProtocol(WireProtocol):
    name = "json"

    def operation_name(self, service: Service, request: HttpRequest) -> str:
        target = request.headers.get("x-amz-target", "")
        prefix, _, operation = target.rpartition(".")
        return operation if prefix else ""

    def parse(self, service: Service, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        body = request.body
        if not body.strip():
            data: Any = {}
        else:
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise serialization_error("Start of structure or map found where not expected.") from None
        if not isinstance(data, dict):
            raise serialization_error("Start of structure or map found where not expected.")
        return decode(operation.input_shape, data)

    def content_type(self, service: Service) -> str:
        return f"application/x-amz-json-{service.model.metadata.get('jsonVersion', '1.0')}"

    def serialize(
        self, service: Service, operation: OperationModel, result: dict[str, Any], ctx: RequestContext
    ) -> HttpResponse:
        body = orjson.dumps(encode(operation.output_shape, result)) if operation.output_shape else b"{}"
        return HttpResponse(200, body, [("x-amzn-RequestId", ctx.request_id)], self.content_type(service))

    def serialize_error(self, service: Service, error: ServiceError, ctx: RequestContext) -> HttpResponse:
        namespace = service.json_error_namespace
        payload: dict[str, Any] = {
            "__type": f"{namespace}#{error.code}" if namespace else error.code,
            "message": error.message,
        }
        payload.update(error.fields)
        headers = [("x-amzn-RequestId", ctx.request_id), ("x-amzn-ErrorType", error.code)]
        if service.query_compatible:
            query_code, _, _ = error_wire_code(service.model_name, error.code)
            query_code = service.query_error_codes.get(error.code, query_code)
            fault = "Sender" if error.sender_fault else "Receiver"
            headers.append(("x-amzn-query-error", f"{query_code};{fault}"))
        return HttpResponse(error.status, orjson.dumps(payload), headers, self.content_type(service))
