"""The interface every wire protocol implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from botocore.model import OperationModel

from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.protocol.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from postoffice.services.base import Service


class WireProtocol(ABC):
    """Parses requests and serializes answers for one AWS protocol, driven by the model."""

    name: str

    @abstractmethod
    def operation_name(self, service: Service, request: HttpRequest) -> str:
        """The operation the request names (target header, Action, or path); '' if none.

        A protocol with its own answer for a missing or unknown operation (query's
        `MissingAction` / `InvalidAction`, rest's 404) raises it here as a ServiceError.
        """

    @abstractmethod
    def parse(self, service: Service, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        """Input parameters, typed per the model. Raises ServiceError on a malformed body."""

    def parse_checked(
        self, service: Service, operation: OperationModel, request: HttpRequest
    ) -> tuple[dict[str, Any], bool]:
        """`parse`, and whether the parameters are known to meet every model constraint.

        True lets dispatch skip `validate`; False only means it must run. A protocol whose
        decoders test the constraints as they go says True for most requests."""
        return self.parse(service, operation, request), False

    @abstractmethod
    def serialize(
        self, service: Service, operation: OperationModel, result: dict[str, Any], ctx: RequestContext
    ) -> HttpResponse: ...

    @abstractmethod
    def serialize_error(self, service: Service, error: ServiceError, ctx: RequestContext) -> HttpResponse: ...
