"""HTTP and HTTP_PROXY integrations: a real HTTP request to the integration's endpoint."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from postoffice.core import http_client
from postoffice.core.http_client import HttpFailure
from postoffice.protocol.http import HttpResponse
from postoffice.services.apigateway.aws_integration import with_stage_variables
from postoffice.services.apigateway.invocation import Invocation, internal_error, timed_out
from postoffice.services.apigateway.mapping import IntegrationRequest, IntegrationResponse, map_request_parameters

_HOP_BY_HOP = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-authorization", "content-length"}
)
_PLACEHOLDER = re.compile(r"\{([^}]+)\}")


def endpoint_url(uri: str, path_params: dict[str, str], query: dict[str, list[str]], variables: dict[str, str]) -> str:
    url = with_stage_variables(uri, variables)
    url = _PLACEHOLDER.sub(
        lambda match: urllib.parse.quote(path_params.get(match.group(1).rstrip("+"), ""), safe="/"), url
    )
    pairs = [(key, value) for key, values in query.items() for value in values]
    if pairs:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)
    return url


async def send(method: str, url: str, headers: dict[str, str], body: bytes, timeout: float) -> IntegrationResponse:
    payload = body if body or method not in ("GET", "HEAD", "OPTIONS", "DELETE") else None
    try:
        answer = await http_client.request(method, url, headers, payload, timeout, follow_redirects=False)
    except HttpFailure as failure:
        raise (timed_out() if failure.timed_out else internal_error(502, "INTEGRATION_FAILURE")) from None
    return IntegrationResponse(answer.status, answer.body, answer.headers)


async def http_proxy(invocation: Invocation, integration: dict[str, Any]) -> HttpResponse:
    path_params = dict(invocation.path_params)
    mapped = IntegrationRequest(b"")
    map_request_parameters(invocation, integration, mapped)
    path_params.update(mapped.path)
    query = invocation.query
    query.update(mapped.query)
    headers = {name: value for name, value in invocation.request.headers.items() if name.lower() not in _HOP_BY_HOP}
    headers.update(mapped.headers)
    url = endpoint_url(integration["uri"], path_params, query, invocation.stage_variables)
    method = (integration.get("httpMethod") or invocation.http_method).upper()
    if method == "ANY":
        method = invocation.http_method
    answer = await send(method, url, headers, invocation.request.body, integration_timeout(integration))
    out = [(name, value) for name, value in answer.headers.items() if name.lower() not in _HOP_BY_HOP]
    content_type = next((value for name, value in out if name.lower() == "content-type"), "application/json")
    out = [(name, value) for name, value in out if name.lower() != "content-type"]
    return HttpResponse(answer.status, answer.body, out, content_type)


async def http_call(
    invocation: Invocation, integration: dict[str, Any], target: IntegrationRequest
) -> IntegrationResponse:
    url = endpoint_url(integration["uri"], target.path, target.query, invocation.stage_variables)
    method = (integration.get("httpMethod") or invocation.http_method).upper()
    if method == "ANY":
        method = invocation.http_method
    headers = dict(target.headers)
    headers.setdefault("Content-Type", invocation.request.headers.get("content-type", "application/json"))
    return await send(method, url, headers, target.body, integration_timeout(integration))


def integration_timeout(integration: dict[str, Any]) -> float:
    return int(integration.get("timeoutInMillis") or 29000) / 1000 + 1
