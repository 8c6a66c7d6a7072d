"""AWS integrations: the request API Gateway makes to another service, made in-process.

`path/...` URIs send the integration request to that path of the service (SQS's
`path/<account>/<queue>` with a form-encoded body is a query-protocol call); `action/<Name>`
URIs name the operation: an `X-Amz-Target` for JSON services (EventBridge, Step Functions), an
`Action` parameter for query services (SQS, SNS). API Gateway asks for JSON
(`Accept: application/json`) unless the integration sets another Accept header, so query
services answer in JSON.

A Lambda function (`lambda:path/2015-03-31/functions/<arn>/invocations`) is invoked directly.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson

from postoffice.core.internal_calls import internal_context
from postoffice.protocol.context import RequestContext
from postoffice.protocol.dispatch import dispatch
from postoffice.protocol.errors import ServiceError
from postoffice.protocol.http import HttpRequest
from postoffice.protocol.registry import protocol
from postoffice.services.apigateway.integration_uri import AwsUri
from postoffice.services.apigateway.invocation import Invocation, internal_error
from postoffice.services.apigateway.mapping import IntegrationRequest, IntegrationResponse
from postoffice.services.apigateway.query_json import QueryJsonProtocol

if TYPE_CHECKING:
    from postoffice.core.system import System
    from postoffice.services.base import Service

FORM = "application/x-www-form-urlencoded"
_ALIASES = {"states": "stepfunctions", "execute-api": "apigateway", "monitoring": "cloudwatch"}
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_.-]+)\}")
_QUERY_JSON = QueryJsonProtocol()


def with_stage_variables(text: str, variables: dict[str, str]) -> str:
    return _STAGE_VARIABLE.sub(lambda match: variables.get(match.group(1), ""), text)


def find_service(system: System, name: str) -> Service | None:
    services = system.services
    found = services.get(name) or services.get(_ALIASES.get(name, ""))
    if found is not None:
        return found
    for service in services.values():
        if service.model.metadata.get("endpointPrefix") == name or service.signing_name == name:
            return service
    return None


async def invoke_function(
    system: System, account: str, region: str, function: str, payload: bytes, request_id: str
) -> tuple[bytes, bool]:
    """Invoke a Lambda function synchronously: its answer, and whether it failed."""
    service = system.services.get("lambda")
    invoke = getattr(service, "Invoke", None)
    if service is None or invoke is None:
        raise internal_error()
    ctx = internal_context("lambda", account, region, "Invoke", request_id)
    try:
        result = await invoke(ctx, {"FunctionName": function, "Payload": payload, "InvocationType": "RequestResponse"})
    except ServiceError:
        raise internal_error() from None
    answer = result.get("Payload") or b""
    if not isinstance(answer, bytes):
        answer = answer.read() if hasattr(answer, "read") else str(answer).encode()
    return answer, bool(result.get("FunctionError"))


def _wire_for(service: Service, request: HttpRequest) -> Any:
    protocols = service.protocols
    if request.headers.get("x-amz-target") and "json" in protocols:
        return protocol("json")
    if "query" in protocols and (
        request.content_type == FORM or "Action=" in request.query_string or request.method == "GET"
    ):
        accept = request.headers.get("accept", "application/json").lower()
        return _QUERY_JSON if "json" in accept or accept in ("", "*/*") else protocol("query")
    return protocol(protocols[0])


async def call_service(
    system: System, invocation: Invocation, uri: AwsUri, integration: dict[str, Any], target: IntegrationRequest
) -> IntegrationResponse:
    region = with_stage_variables(uri.region, invocation.stage_variables) or invocation.region
    rest = with_stage_variables(uri.rest, invocation.stage_variables)
    function = uri.function_arn
    if function is not None:
        payload = target.body or b"{}"
        answer, failed = await invoke_function(
            system, invocation.account, region, with_stage_variables(function, invocation.stage_variables), payload,
            str(uuid.uuid4()),
        )  # fmt: skip
        return _lambda_response(answer, failed)
    service = find_service(system, uri.service)
    if service is None:
        raise internal_error()
    headers = {name.lower(): value for name, value in target.headers.items()}
    headers.setdefault("accept", "application/json")
    query = {key: list(values) for key, values in target.query.items()}
    if uri.kind == "action":
        action, _, extra = rest.partition("&")
        for key, value in (pair.partition("=")[::2] for pair in extra.split("&") if pair):
            query.setdefault(key, []).append(value)
        if service.target_prefix and "json" in service.protocols:
            headers.setdefault("x-amz-target", f"{service.target_prefix}.{action}")
            version = service.model.metadata.get("jsonVersion", "1.1")
            headers.setdefault("content-type", f"application/x-amz-json-{version}")
        else:
            query["Action"] = [action]
            query.setdefault("Version", [service.model.api_version])
            if target.body:
                headers.setdefault("content-type", FORM)
        path = "/"
    else:
        path = "/" + re.sub(r"\{([^}]+)\}", lambda match: target.path.get(match.group(1), match.group(0)), rest)
    request = HttpRequest(
        method=(integration.get("httpMethod") or "POST").upper(),
        path=path,
        query_string=urlencode([(key, value) for key, values in query.items() for value in values]),
        headers=headers,
        body=target.body,
        client=invocation.request.client,
        raw_path=path,
    )
    ctx = RequestContext(
        service=service.name, account=invocation.account, region=region, request_id=str(uuid.uuid4()), request=request
    )
    response = await dispatch(service, _wire_for(service, request), request, ctx)
    out_headers = dict(response.headers)
    out_headers["Content-Type"] = response.content_type
    return IntegrationResponse(response.status, response.body, out_headers)


def _lambda_response(answer: bytes, failed: bool) -> IntegrationResponse:
    headers = {"Content-Type": "application/json"}
    if not failed:
        return IntegrationResponse(200, answer, headers)
    message = None
    try:
        document = orjson.loads(answer)
        if isinstance(document, dict):
            message = document.get("errorMessage")
    except orjson.JSONDecodeError:
        pass
    return IntegrationResponse(200, answer, headers, error_message=str(message) if message is not None else "")
