"""Errors a service raises; the protocol layer renders them in the service's wire format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ServiceError(Exception):
    """An AWS error answer.

    `code` is the error shape's name in the service model (e.g. `QueueDoesNotExist`); the
    protocol layer turns it into the wire code the protocol uses (`__type`, `<Code>`,
    `x-amzn-query-error`). `fields` are extra members of the error shape.
    """

    def __init__(
        self,
        code: str,
        message: str = "",
        status: int = 400,
        sender_fault: bool = True,
        **fields: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
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
    return ServiceError("UnknownOperationException", f"Unknown operation {name}" if name else "")


def serialization_error(message: str) -> ServiceError:
    return ServiceError("SerializationException", message)


def malformed_body(message: str) -> ServiceError:
    return ServiceError("SerializationException", message)
