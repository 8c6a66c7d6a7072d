"""What every service is: a botocore model, the protocols it speaks, one method per operation.

A service subclass names its operations exactly as AWS does:

    class Sqs(Service):
        name = "sqs"
        async def SendMessage(self, ctx: RequestContext, params: dict) -> dict: ...

`params` arrive parsed and validated against the model; the method returns the output shape
as a dict (or None for an empty answer) or raises ServiceError. Other services call these
methods in-process with `ctx.internal(...)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.model import ServiceModel

from postoffice.protocol.errors import ServiceError, Violation, validation_exception
from postoffice.protocol.models import service_model

if TYPE_CHECKING:
    from postoffice.core.system import System
    from postoffice.protocol.context import RequestContext

Operation = Callable[["RequestContext", dict[str, Any]], Awaitable[Any] | Any]


@dataclass
class OperationEntry:
    method: Operation
    is_async: bool


class Service:
    name: ClassVar[str] = ""
    model_name: ClassVar[str] = ""
    protocols: ClassVar[tuple[str, ...]] = ()
    json_error_namespace: ClassVar[str | None] = None
    validation_error_code: ClassVar[str] = "ValidationException"
    query_error_codes: ClassVar[dict[str, str]] = {}

    def __init__(self, system: System) -> None:
        self.system = system
        self.model: ServiceModel = service_model(self.model_name or self.name)
        self.operations: dict[str, OperationEntry] = {}
        for name in self.model.operation_names:
            method = getattr(self, name, None)
            if method is not None:
                self.operations[name] = OperationEntry(method, inspect.iscoroutinefunction(method))

    @property
    def query_compatible(self) -> bool:
        return "awsQueryCompatible" in self.model.metadata

    @property
    def target_prefix(self) -> str | None:
        return self.model.metadata.get("targetPrefix")

    @property
    def signing_name(self) -> str:
        return self.model.metadata.get("signingName") or self.model.metadata.get("endpointPrefix") or self.name

    def complete_params(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Fill parameters the request carries outside its body (e.g. SQS's queue URL path)."""
        return params

    def validation_error(self, ctx: RequestContext, violations: list[Violation]) -> ServiceError:
        """The error a request that breaks the model's constraints gets from this service."""
        return validation_exception(violations, self.validation_error_code)

    def not_implemented(self, operation: str) -> ServiceError:
        return ServiceError(
            "NotImplemented", f"{operation} is not available in postoffice yet.", status=501, sender_fault=False
        )

    async def start(self) -> None:
        """Begin background work (pollers, schedules) once the store is open."""

    async def stop(self) -> None:
        """Stop background work; called on shutdown."""

    async def reset(self) -> None:
        """Forget every resource of this service (admin reset)."""

    def status(self) -> dict[str, Any]:
        return {"state": "running", "operations": len(self.operations)}
