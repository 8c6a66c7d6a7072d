"""AWS query-protocol services (SQS, SNS) answering in JSON, as they do when the request asks
for `Accept: application/json` (API Gateway's AWS integrations send it unless told otherwise):

    {"SendMessageResponse": {"SendMessageResult": {"MD5OfMessageAttributes": null, ...,
     "MessageId": "...", "SequenceNumber": null}, "ResponseMetadata": {"RequestId": "..."}}}

Every member of the result shape is present, null when it has no value.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import orjson
from botocore.model import OperationModel, Shape

from postoffice.protocol.codec import timestamp_to_epoch
from postoffice.protocol.context import RequestContext
from postoffice.protocol.error_info import wire_error
from postoffice.protocol.errors import ServiceError
from postoffice.protocol.http import HttpResponse
from postoffice.protocol.query_protocol import QueryProtocol

if TYPE_CHECKING:
    from postoffice.services.base import Service

JSON = "application/json"


def _value(shape: Shape, value: Any) -> Any:
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        return {name: _value(member, value.get(name)) for name, member in shape.members.items()}
    if kind == "list":
        return [_value(shape.member, item) for item in value]
    if kind == "map":
        return {key: _value(shape.value, item) for key, item in value.items()}
    if kind == "blob":
        return base64.b64encode(value if isinstance(value, bytes) else str(value).encode()).decode()
    if kind == "timestamp":
        return timestamp_to_epoch(value)
    return value


class QueryJsonProtocol(QueryProtocol):
    """Parses like the query protocol (the service sees `ctx.protocol == "query"`), answers in JSON."""

    def serialize(
        self, service: Service, operation: OperationModel, result: dict[str, Any], ctx: RequestContext
    ) -> HttpResponse:
        shape = operation.output_shape
        document: dict[str, Any] = {}
        if shape is not None:
            document[f"{operation.name}Result"] = _value(shape, result)
        document["ResponseMetadata"] = {"RequestId": ctx.request_id}
        body = orjson.dumps({f"{operation.name}Response": document})
        return HttpResponse(200, body, [("x-amzn-RequestId", ctx.request_id)], JSON)

    def serialize_error(self, service: Service, error: ServiceError, ctx: RequestContext) -> HttpResponse:
        wire = wire_error(service, error)
        document = {
            "Error": {"Code": wire.query_code, "Message": wire.message, "Type": wire.fault},
            "RequestId": ctx.request_id,
        }
        return HttpResponse(wire.status, orjson.dumps(document), [("x-amzn-RequestId", ctx.request_id)], JSON)
