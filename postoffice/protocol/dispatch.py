"""One request through one service: parse, validate, call the operation, serialize."""

from __future__ import annotations

import logging
from typing import Any

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError, unknown_operation
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.protocol.models import operation_model
from postoffice.protocol.validate import validate
from postoffice.services.base import Service

log = logging.getLogger("postoffice.dispatch")

_completes_params: dict[type, bool] = {}


def _completes(service: Service) -> bool:
    """Whether the service fills parameters after parsing (`complete_params`): what it adds
    was never seen by the decoders' constraint tests, so `validate` must run on the result."""
    kind = type(service)
    found = _completes_params.get(kind)
    if found is None:
        found = _completes_params[kind] = kind.complete_params is not Service.complete_params
    return found


async def dispatch(service: Service, wire: WireProtocol, request: HttpRequest, ctx: RequestContext) -> HttpResponse:
    ctx.protocol = wire.name
    try:
        name = wire.operation_name(service, request)
        ctx.operation = name
        operation = operation_model(service.model_name or service.name, name) if name else None
        if operation is None:
            raise unknown_operation(name)
        params: dict[str, Any]
        if _completes(service):
            params = service.complete_params(ctx, wire.parse(service, operation, request))
            checked = False
        else:
            params, checked = wire.parse_checked(service, operation, request)
        if not checked:
            violations = validate(operation.input_shape, params)
            if violations:
                raise service.validation_error(ctx, violations)
        entry = service.operations.get(name)
        if entry is None:
            raise service.not_implemented(name)
        result = await entry.method(ctx, params) if entry.is_async else entry.method(ctx, params)
        return wire.serialize(service, operation, result or {}, ctx)
    except ServiceError as error:
        return wire.serialize_error(service, error, ctx)
    except Exception:
        log.exception("internal error in %s.%s", service.name, ctx.operation)
        error = ServiceError(
            "InternalFailure", "The request processing has failed because of an unknown error.", 500, False
        )
        return wire.serialize_error(service, error, ctx)
