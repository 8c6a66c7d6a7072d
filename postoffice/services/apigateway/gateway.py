"""Invoking deployed REST APIs (the execute-api data plane).

Three ways in, all ending in `ExecuteApi.invoke(api_id, stage, path, request)`:

    http://localhost:4566/restapis/<id>/<stage>/_user_request_/<path>
    http://localhost:4566/_aws/execute-api/<id>/<stage>/<path>
    http://<id>.execute-api.localhost:4566/<stage>/<path>   (also ...localhost.localstack.cloud)

A request goes: route -> stage throttling -> authorization -> API key and usage plan ->
request validation -> integration (with its timeout) -> method response. Anything API Gateway
refuses or fails on its own is a gateway response (invocation.error_response).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.core.throttle import TokenBuckets
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.services.apigateway.api_stages import SNAPSHOT, method_setting_key
from postoffice.services.apigateway.authorizers import Authorization
from postoffice.services.apigateway.aws_integration import call_service, invoke_function, with_stage_variables
from postoffice.services.apigateway.defaults import ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT, INTEGRATION_TIMEOUT_MS
from postoffice.services.apigateway.http_integration import http_call, http_proxy
from postoffice.services.apigateway.integration_uri import parse_aws_uri
from postoffice.services.apigateway.invocation import (
    GatewayError,
    Invocation,
    error_response,
    internal_error,
    missing_token,
    timed_out,
)
from postoffice.services.apigateway.lambda_proxy import proxy_event, proxy_response
from postoffice.services.apigateway.mapping import (
    IntegrationResponse,
    select_response,
    transform_request,
    transform_response,
)
from postoffice.services.apigateway.request_validation import validate_request
from postoffice.services.apigateway.routing import find_route
from postoffice.services.apigateway.usage import UsageMeter

if TYPE_CHECKING:
    from postoffice.services.apigateway.api import ApiGateway

PATH_PREFIX = "/restapis/"
AWS_PREFIX = "/_aws/execute-api/"
_USER_REQUEST = re.compile(r"^/restapis/([^/]+)/([^/]+)/_user_request_(/.*)?$")
_HOST = re.compile(r"^([a-z0-9]+)\.execute-api\.(?:[a-z0-9-]+\.)?localhost(?:\.localstack\.cloud)?(?::\d+)?$")


def _json(status: int, document: Any, request_id: str, error_type: str = "") -> HttpResponse:
    headers = [("x-amzn-RequestId", request_id)]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return HttpResponse(status, orjson.dumps(document), headers)


class ExecuteApi:
    def __init__(self, service: ApiGateway) -> None:
        self.service = service
        self.system = service.system
        self.throttle = TokenBuckets()
        self.usage = UsageMeter()
        self.authorization = Authorization(service.system)

    def clear(self) -> None:
        self.throttle.clear()
        self.usage.clear()
        self.authorization.cache.clear()

    # Ways in ----------------------------------------------------------------------------

    @staticmethod
    def is_user_request(request: HttpRequest) -> bool:
        return _USER_REQUEST.match(request.path) is not None

    async def by_path(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        found = _USER_REQUEST.match(path)
        if found is not None:
            return await self.invoke(found.group(1), found.group(2), found.group(3) or "/", request)
        rest = path[len(AWS_PREFIX) :] if path.startswith(AWS_PREFIX) else ""
        api_id, _, rest = rest.partition("/")
        stage, _, tail = rest.partition("/")
        if not api_id or not stage:
            return _json(404, {"message": "Not Found"}, str(uuid.uuid4()))
        return await self.invoke(api_id, stage, "/" + tail, request)

    async def by_host(self, request: HttpRequest) -> HttpResponse | None:
        """A request to `<api-id>.execute-api.localhost[:port]` or to a `/restapis/.../_user_request_/`
        path; None for anything else (two substring tests: every request passes through here)."""
        if "_user_request_" in request.path and _USER_REQUEST.match(request.path):
            return await self.by_path(request)
        host = request.host
        if ".execute-api." not in host:
            return None
        found = _HOST.match(host.lower())
        if found is None:
            return None
        stage, _, tail = request.path.lstrip("/").partition("/")
        if not stage:
            return error_response(missing_token(), None)
        return await self.invoke(found.group(1), stage, "/" + tail, request)

    # The request ------------------------------------------------------------------------

    async def invoke(self, api_id: str, stage_name: str, path: str, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        located = self.service.locate_api(api_id)
        if located is None:
            message = f"The API id '{api_id}' does not correspond to a deployed API Gateway API"
            return _json(404, {"message": message}, request_id, "NotFoundException")
        account, region, record = located
        stage = record.stages.get(stage_name)
        deployment = record.deployments.get(stage["deploymentId"]) if stage is not None else None
        if stage is None or deployment is None:
            response = error_response(missing_token(), None)
            response.headers[0] = ("x-amzn-RequestId", request_id)
            return response
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        invocation = Invocation(
            request=request,
            request_id=request_id,
            account=account,
            region=region,
            record=record,
            stage=stage,
            snapshot=deployment[SNAPSHOT],
            path=path,
            now=self.system.clock.now(),
        )
        domain = (
            request.host.split(":", 1)[0] if _HOST.match(request.host.lower()) else f"{api_id}.execute-api.localhost"
        )
        try:
            route = find_route(invocation.snapshot["resources"], invocation.http_method, path)
            if route is not None:
                invocation.resource, invocation.method, invocation.path_params = (
                    route.resource, route.method, route.path_params,
                )  # fmt: skip
            invocation.build_context(domain)
            if route is None:
                raise missing_token()
            self._throttle_stage(invocation)
            await self.authorization.check(invocation)
            self._check_api_key(invocation)
            validate_request(invocation)
            response = await self._with_timeout(invocation)
        except GatewayError as error:
            response = error_response(error, invocation)
        response.headers = [(name, value) for name, value in response.headers if name.lower() != "x-amzn-requestid"]
        response.headers.insert(0, ("x-amzn-RequestId", request_id))
        response.headers.append(("x-amz-apigw-id", invocation.context.get("extendedRequestId", "")))
        return response

    def _throttle_stage(self, invocation: Invocation) -> None:
        settings = invocation.stage.get("methodSettings") or {}
        key = method_setting_key(invocation.resource.get("path", "/"), invocation.method.get("httpMethod", ""))
        chosen = settings.get(key)
        if chosen is None or "throttlingRateLimit" not in chosen:
            key, chosen = "*/*", settings.get("*/*")
        rate = float(chosen.get("throttlingRateLimit", ACCOUNT_RATE_LIMIT)) if chosen else ACCOUNT_RATE_LIMIT
        burst = float(chosen.get("throttlingBurstLimit", ACCOUNT_BURST_LIMIT)) if chosen else ACCOUNT_BURST_LIMIT
        if self.throttle.take(("stage", invocation.api_id, invocation.stage_name, key), rate, burst, invocation.now):
            raise GatewayError("THROTTLED", "Too Many Requests")

    def _check_api_key(self, invocation: Invocation) -> None:
        if not invocation.method.get("apiKeyRequired"):
            return
        forbidden = GatewayError("INVALID_API_KEY", "Forbidden")
        if invocation.snapshot.get("apiKeySource") == "AUTHORIZER":
            value = invocation.context.get("_usageIdentifierKey")
        else:
            value = invocation.request.headers.get("x-api-key")
        if not value:
            raise forbidden
        service = self.service
        key = next(
            (key for key in service.api_keys.list(invocation.account, invocation.region) if key.get("value") == value),
            None,
        )
        if key is None or not key.get("enabled"):
            raise forbidden
        plan = None
        api_stage: dict[str, Any] = {}
        for candidate in service.usage_plans.list(invocation.account, invocation.region):
            if key["id"] not in candidate.keys:
                continue
            for stage in candidate.plan.get("apiStages") or []:
                if stage.get("apiId") == invocation.api_id and stage.get("stage") == invocation.stage_name:
                    plan, api_stage = candidate, stage
        if plan is None:
            raise forbidden
        invocation.api_key = key
        invocation.usage_plan = plan
        invocation.context["identity"]["apiKey"] = key["value"]
        invocation.context["identity"]["apiKeyId"] = key["id"]
        method_key = f"{invocation.resource.get('path', '/')}/{invocation.method.get('httpMethod', '')}"
        throttle = (api_stage.get("throttle") or {}).get(method_key) or plan.plan.get("throttle")
        if throttle:
            rate = float(throttle.get("rateLimit", ACCOUNT_RATE_LIMIT))
            burst = float(throttle.get("burstLimit", ACCOUNT_BURST_LIMIT))
            bucket = (
                "plan",
                plan.plan["id"],
                key["id"],
                method_key if throttle is not plan.plan.get("throttle") else "",
            )
            if self.throttle.take(bucket, rate, burst, invocation.now):
                raise GatewayError("THROTTLED", "Too Many Requests")
        if not self.usage.take(plan.plan["id"], key["id"], plan.plan.get("quota"), invocation.now):
            raise GatewayError("QUOTA_EXCEEDED", "Limit Exceeded")

    async def _with_timeout(self, invocation: Invocation) -> HttpResponse:
        integration = invocation.method.get("methodIntegration")
        if integration is None:
            raise internal_error()
        timeout = int(integration.get("timeoutInMillis") or INTEGRATION_TIMEOUT_MS) / 1000
        work = asyncio.ensure_future(self._integrate(invocation, integration))
        alarm = asyncio.ensure_future(self.system.clock.sleep(timeout))
        try:
            done, _ = await asyncio.wait({work, alarm}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            alarm.cancel()
        if work in done:
            return work.result()
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await work
        raise timed_out()

    async def _integrate(self, invocation: Invocation, integration: dict[str, Any]) -> HttpResponse:
        kind = integration.get("type")
        if kind == "AWS_PROXY":
            return await self._lambda_proxy(invocation, integration)
        if kind == "HTTP_PROXY":
            return await http_proxy(invocation, integration)
        target = transform_request(invocation, integration)
        lambda_call = False
        if kind == "MOCK":
            response = _mock_response(target.body)
        elif kind == "HTTP":
            response = await http_call(invocation, integration, target)
        else:
            uri = parse_aws_uri(integration.get("uri", ""))
            if uri is None:
                raise internal_error()
            lambda_call = uri.function_arn is not None
            response = await call_service(self.system, invocation, uri, integration, target)
        if lambda_call:
            subject = response.error_message
            selected = select_response(integration, subject) if subject is not None else _default(integration)
        else:
            selected = select_response(integration, str(response.status))
        if selected is None:
            raise internal_error()
        status, body, headers, content_type = transform_response(invocation, selected, response)
        return HttpResponse(status, body, headers, content_type)

    async def _lambda_proxy(self, invocation: Invocation, integration: dict[str, Any]) -> HttpResponse:
        uri = parse_aws_uri(with_stage_variables(integration.get("uri", ""), invocation.stage_variables))
        function = uri.function_arn if uri is not None else None
        if function is None or uri is None:
            raise internal_error()
        event = proxy_event(invocation)
        answer, failed = await invoke_function(
            self.system, invocation.account, uri.region or invocation.region, function, orjson.dumps(event),
            invocation.request_id,
        )  # fmt: skip
        return proxy_response(invocation, answer, failed)


def _default(integration: dict[str, Any]) -> dict[str, Any] | None:
    for response in (integration.get("integrationResponses") or {}).values():
        if not response.get("selectionPattern"):
            return response  # type: ignore[no-any-return]
    return None


def _mock_response(body: bytes) -> IntegrationResponse:
    status = 200
    if body.strip():
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise internal_error() from None
        if isinstance(document, dict) and document.get("statusCode") is not None:
            try:
                status = int(document["statusCode"])
            except (TypeError, ValueError):
                raise internal_error() from None
    return IntegrationResponse(status, b"", {"Content-Type": "application/json"})
