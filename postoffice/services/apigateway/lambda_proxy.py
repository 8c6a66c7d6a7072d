"""Lambda proxy integrations (AWS_PROXY): the event a function receives (payload format 1.0)
and the response object it must return.

https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
"""

from __future__ import annotations

import base64
import binascii
import copy
import fnmatch
from typing import Any

import orjson

from postoffice.protocol.http import HttpResponse
from postoffice.services.apigateway.invocation import GatewayError, Invocation, spaced

_RESPONSE_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"})


def is_binary(content_type: str, binary_types: list[str]) -> bool:
    if not content_type:
        return False
    return any(fnmatch.fnmatch(content_type.lower(), pattern.lower()) for pattern in binary_types)


def proxy_event(invocation: Invocation) -> dict[str, Any]:
    request = invocation.request
    headers = dict(request.headers)
    query = invocation.query
    body: str | None = None
    binary = is_binary(request.content_type, invocation.snapshot.get("binaryMediaTypes") or [])
    if request.body:
        body = base64.b64encode(request.body).decode() if binary else request.body.decode("utf-8", "replace")
    context = invocation.context
    identity = {key: value for key, value in context["identity"].items() if key not in ("apiKey", "apiKeyId")}
    if context["identity"].get("apiKey") is not None:
        identity["apiKey"] = context["identity"]["apiKey"]
        identity["apiKeyId"] = context["identity"]["apiKeyId"]
    request_context: dict[str, Any] = {
        "resourceId": context["resourceId"],
        "resourcePath": context["resourcePath"],
        "httpMethod": context["httpMethod"],
        "extendedRequestId": context["extendedRequestId"],
        "requestTime": context["requestTime"],
        "path": context["path"],
        "accountId": context["accountId"],
        "protocol": context["protocol"],
        "stage": context["stage"],
        "domainPrefix": context["domainPrefix"],
        "requestTimeEpoch": context["requestTimeEpoch"],
        "requestId": context["requestId"],
        "identity": identity,
        "domainName": context["domainName"],
        "deploymentId": context["deploymentId"],
        "apiId": context["apiId"],
    }
    if invocation.authorizer is not None:
        request_context["authorizer"] = copy.deepcopy(invocation.authorizer)
    return {
        "resource": invocation.resource.get("path"),
        "path": invocation.path,
        "httpMethod": invocation.http_method,
        "headers": headers or None,
        "multiValueHeaders": {name: [value] for name, value in headers.items()} or None,
        "queryStringParameters": {key: values[-1] for key, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": dict(invocation.path_params) or None,
        "stageVariables": invocation.stage_variables or None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": bool(binary and request.body),
    }


def malformed() -> GatewayError:
    return GatewayError("DEFAULT_5XX", "Internal server error", 502, spaced("Internal server error"))


def proxy_response(invocation: Invocation, payload: bytes, failed: bool) -> HttpResponse:
    """The function's answer as the method response; a malformed one is a 502."""
    if failed:
        raise malformed()
    try:
        document = orjson.loads(payload) if payload.strip() else None
    except orjson.JSONDecodeError:
        raise malformed() from None
    if not isinstance(document, dict) or not set(document) <= _RESPONSE_KEYS:
        raise malformed()
    try:
        status = int(document.get("statusCode") if document.get("statusCode") is not None else 200)
    except (TypeError, ValueError):
        raise malformed() from None
    body = document.get("body")
    headers = document.get("headers") or {}
    multi = document.get("multiValueHeaders") or {}
    if body is not None and not isinstance(body, str):
        raise malformed()
    if not isinstance(headers, dict) or not isinstance(multi, dict):
        raise malformed()
    out: list[tuple[str, str]] = []
    content_type = None
    for name, value in headers.items():
        if isinstance(value, dict | list):
            raise malformed()
        if str(name).lower() == "content-type":
            content_type = str(value)
        elif name not in multi:
            out.append((str(name), _text(value)))
    for name, values in multi.items():
        if not isinstance(values, list):
            raise malformed()
        for value in values:
            if str(name).lower() == "content-type":
                content_type = str(value)
            else:
                out.append((str(name), _text(value)))
    data = (body or "").encode()
    if document.get("isBase64Encoded") and body:
        accept = invocation.request.headers.get("accept", "")
        binary_types = invocation.snapshot.get("binaryMediaTypes") or []
        if is_binary(accept.split(",")[0].strip(), binary_types) or is_binary(content_type or "", binary_types):
            try:
                data = base64.b64decode(body)
            except (binascii.Error, ValueError):
                raise malformed() from None
    return HttpResponse(status, data, out, content_type or "application/json")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
