"""botocore's service models: the single source of wire truth."""

from __future__ import annotations

from functools import cache

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

_loader = Loader()


@cache
def service_model(name: str) -> ServiceModel:
    """The newest model botocore ships for `name` (e.g. 'sqs', 'events', 'cloudwatch')."""
    return ServiceModel(_loader.load_service_model(name, "service-2"), service_name=name)


@cache
def operation_model(service: str, operation: str) -> OperationModel | None:
    model = service_model(service)
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation)


@cache
def error_shape_names(service: str) -> frozenset[str]:
    return frozenset(shape.name for shape in service_model(service).error_shapes)


def error_wire_code(service: str, code: str) -> tuple[str, int | None, bool | None]:
    """The query-protocol code, HTTP status and sender fault the model gives error `code`."""
    from postoffice.protocol.error_info import error_model

    model = error_model(service, code)
    return model.query_code, model.status, model.sender_fault
