"""Amazon API Gateway REST APIs: the control plane (botocore model "apigateway", rest-json) and
the execute-api data plane that serves deployed stages.

The operations live with their resources, one module each, all mixed into `ApiGateway`:

- api_restapis.py   CreateRestApi ... DeleteRestApi, GetAccount, UpdateAccount
- api_resources.py  resources, methods, method responses, integrations, integration responses
- api_models.py     models, request validators, authorizers, gateway responses
- api_stages.py     deployments and stages
- api_keys.py       API keys, usage plans, usage plan keys, usage, tags
- api_openapi.py    ImportRestApi, PutRestApi (OpenAPI 3 / Swagger 2), GetExport

How an invocation runs: gateway.py (ways in, the pipeline) -> routing.py, authorizers.py,
request_validation.py -> mapping.py (parameters, VTL templates in vtl/) -> lambda_proxy.py,
aws_integration.py, http_integration.py -> invocation.py (gateway responses).
"""

from __future__ import annotations

from typing import Any

from postoffice.core.system import System
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError, Violation
from postoffice.services.apigateway.api_keys import KeyOperations
from postoffice.services.apigateway.api_models import ModelOperations
from postoffice.services.apigateway.api_openapi import OpenApiOperations
from postoffice.services.apigateway.api_resources import ResourceOperations
from postoffice.services.apigateway.api_restapis import RestApiOperations
from postoffice.services.apigateway.api_stages import StageOperations
from postoffice.services.apigateway.gateway import ExecuteApi
from postoffice.services.base import Service


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


class ApiGateway(
    RestApiOperations,
    ResourceOperations,
    ModelOperations,
    StageOperations,
    KeyOperations,
    OpenApiOperations,
    Service,
):
    name = "apigateway"
    protocols = ("rest-json",)
    validation_error_code = "BadRequestException"

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._init_state()
        self.gateway = ExecuteApi(self)
        self.usage = self.gateway.usage

    def validation_error(self, ctx: RequestContext, violations: list[Violation]) -> ServiceError:
        """API Gateway names the failing member after its input structure: `createRestApiInput.name`."""
        prefix = _lower_first(ctx.operation) + "Input."
        parts = [
            Violation(prefix + violation.path, violation.value, violation.constraint, violation.kind).describe()
            for violation in violations
        ]
        noun = "error" if len(parts) == 1 else "errors"
        return ServiceError("BadRequestException", f"{len(parts)} validation {noun} detected: " + "; ".join(parts))

    def authorizer_cache_flush(self, api_id: str, stage: str) -> None:
        self.gateway.authorization.cache.flush(api_id, stage)

    async def reset(self) -> None:
        await self._clear_state()
        self.gateway.clear()

    def status(self) -> dict[str, Any]:
        return {**super().status(), "restApis": sum(1 for _ in self.apis.all())}
