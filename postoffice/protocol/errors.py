"""Errors a service raises; the protocol layer renders them in the service's wire format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ServiceError(Exception):
    """An AWS error answer.

    `code` is the error shape's name in the service model (e.g. `QueueDoesNotExist`); the
    protocol layer turns it into the wire code the protocol uses (`__type`, `<Code>`,
    `x-amzn-query-error`). `fields` are extra members of the error shape.

    Left out, `status` and `sender_fault` come from the model's error shape (its
    `httpStatusCode` and `senderFault`), else 400 and "the client's fault".
    """

    def __init__(
        self,
        code: str,
        message: str = "",
        status: int | None = None,
        sender_fault: bool | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = 400 if status is None else status
        self.sender_fault = self.status < 500 if sender_fault is None else sender_fault
        self.status_given = status is not None
        self.fault_given = sender_fault is not None
        self.fields = fields

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.message!r}, status={self.status})"


@dataclass(frozen=True)
class Violation:
    """One failed model constraint, described as AWS's validation messages describe it."""

    path: str
    value: Any
    constraint: str
    kind: str  # required | length | range | enum | pattern

    def describe(self) -> str:
        return f"Value {_render(self.value)} at '{self.path}' failed to satisfy constraint: {self.constraint}"


def _render(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (bytes, bytearray)):
        return "'java.nio.HeapByteBuffer'"
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    if isinstance(value, (list, dict)):
        return "'" + str(value) + "'"
    return f"'{value}'"


def validation_message(violations: list[Violation]) -> str:
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(v.describe() for v in violations)


def validation_exception(violations: list[Violation], code: str = "ValidationException") -> ServiceError:
    return ServiceError(code, validation_message(violations))


# Errors raised by the protocol layer itself, before a service sees the request.
def unknown_operation(name: str) -> ServiceError:
    return ServiceError("UnknownOperationException", f"Unknown operation {name}" if name else "", 400)


def unknown_route(method: str, path: str) -> ServiceError:
    return ServiceError("UnknownOperationException", f"No operation matches {method} {path}", 404)


def serialization_error(message: str) -> ServiceError:
    return ServiceError("SerializationException", message, 400)


def malformed_body(message: str) -> ServiceError:
    return ServiceError("SerializationException", message, 400)


def unsupported_media_type(content_type: str) -> ServiceError:
    return ServiceError("UnsupportedMediaTypeException", f"Unsupported Content-Type: {content_type}", 415)


# Query protocol (AWS "Common Errors" wording).
def invalid_action(name: str) -> ServiceError:
    return ServiceError("InvalidAction", f"The action {name} is not valid for this web service.", 400)


def missing_action() -> ServiceError:
    return ServiceError("MissingAction", "The request is missing an action or a required parameter.", 400)


def malformed_query_string() -> ServiceError:
    return ServiceError("MalformedQueryString", "The query string contains a syntax error.", 404)


def invalid_parameter_value(name: str, value: str, reason: str) -> ServiceError:
    return ServiceError(
        "InvalidParameterValue", f"Value {value} for parameter {name} is invalid. Reason: {reason}", 400
    )
