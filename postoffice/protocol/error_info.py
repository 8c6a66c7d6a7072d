"""What the model says about an error: its wire code per protocol, HTTP status, fault side.

A service raises `ServiceError(<error shape name>, message)`; every protocol renders it
through `wire_error`, which fills what the service left out from the error shape
(`error.httpStatusCode`, `error.senderFault`, `error.code`) and names the message member the
way the shape does (`message` or `Message`). `Service.query_error_codes` overrides the
model's query code (SQS's `AWS.SimpleQueueService.NonExistentQueue` lives there, because
SQS's current model no longer carries it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.model import NoShapeFoundError, Shape

from postoffice.protocol.errors import ServiceError
from postoffice.protocol.models import service_model

if TYPE_CHECKING:
    from postoffice.services.base import Service


@dataclass(frozen=True)
class ErrorModel:
    shape: Shape | None
    query_code: str
    status: int | None
    sender_fault: bool | None
    message_key: str


@dataclass(frozen=True)
class WireError:
    code: str
    query_code: str
    message: str
    status: int
    sender_fault: bool
    message_key: str
    shape: Shape | None
    fields: dict[str, Any]

    @property
    def fault(self) -> str:
        return "Sender" if self.sender_fault else "Receiver"


@cache
def error_model(model_name: str, code: str) -> ErrorModel:
    try:
        shape = service_model(model_name).shape_for(code)
    except NoShapeFoundError:
        return ErrorModel(None, code, None, None, "message")
    if shape.type_name != "structure" or not shape.metadata.get("exception"):
        return ErrorModel(None, code, None, None, "message")
    error = shape.metadata.get("error", {})
    members = shape.members
    message_key = "message" if "message" in members else ("Message" if "Message" in members else "message")
    return ErrorModel(
        shape, error.get("code", code), error.get("httpStatusCode"), error.get("senderFault"), message_key
    )


def wire_error(service: Service, error: ServiceError) -> WireError:
    model = error_model(service.model_name or service.name, error.code)
    status = error.status if error.status_given or model.status is None else model.status
    if error.fault_given:
        sender_fault = error.sender_fault
    elif model.sender_fault is not None:
        sender_fault = model.sender_fault
    else:
        sender_fault = status < 500
    return WireError(
        code=error.code,
        query_code=service.query_error_codes.get(error.code, model.query_code),
        message=error.message,
        status=status,
        sender_fault=sender_fault,
        message_key=model.message_key,
        shape=model.shape,
        fields=error.fields,
    )
