"""Data mapping between the method and the integration: request parameters
(`integration.request.header.X = method.request.path.id`), response parameters
(`method.response.header.Y = integration.response.body.id`), and the choice and rendering of
mapping templates, with passthrough behaviour."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from postoffice.services.apigateway import jsonpath
from postoffice.services.apigateway.invocation import GatewayError, Invocation, internal_error
from postoffice.services.apigateway.template_variables import BodyError, Headers, template_variables
from postoffice.services.apigateway.vtl import TemplateError, render
from postoffice.services.apigateway.vtl.java import java_regex, to_string

JSON = "application/json"


@dataclass
class IntegrationRequest:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, list[str]] = field(default_factory=dict)
    path: dict[str, str] = field(default_factory=dict)


@dataclass
class IntegrationResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    error_message: str | None = None  # a Lambda function error's errorMessage


def _literal(source: str) -> str | None:
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    return None


def _context_value(context: dict[str, Any], dotted: str) -> Any:
    value: Any = context
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _body_value(body: bytes, expression: str) -> str | None:
    if expression == "":
        return body.decode("utf-8", "replace")
    try:
        document = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        return None
    value = jsonpath.read(document, "$" + expression)
    if value is None:
        return None
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def request_source(invocation: Invocation, source: str) -> str | list[str] | None:
    """The value of `method.request.*`, `stageVariables.*`, `context.*` or a 'literal'."""
    literal = _literal(source)
    if literal is not None:
        return literal
    params = invocation.params()
    if source == "method.request.body" or source.startswith("method.request.body."):
        return _body_value(invocation.request.body, source[len("method.request.body") :])
    for prefix, location in (
        ("method.request.path.", "path"),
        ("method.request.querystring.", "querystring"),
        ("method.request.header.", "header"),
    ):
        if source.startswith(prefix):
            return params[location].get(source[len(prefix) :])
    if source.startswith("method.request.multivaluequerystring."):
        return invocation.query.get(source[len("method.request.multivaluequerystring.") :])
    if source.startswith("method.request.multivalueheader."):
        value = invocation.headers.get(source[len("method.request.multivalueheader.") :])
        return None if value is None else [part.strip() for part in value.split(",")]
    if source.startswith("stageVariables."):
        return invocation.stage_variables.get(source[len("stageVariables.") :])
    if source.startswith("context."):
        value = _context_value(invocation.context, source[len("context.") :])
        return None if value is None else to_string(value)
    return None


def map_request_parameters(invocation: Invocation, integration: dict[str, Any], target: IntegrationRequest) -> None:
    for name, source in (integration.get("requestParameters") or {}).items():
        value = request_source(invocation, source)
        if value is None:
            continue
        if name.startswith("integration.request.header."):
            target.headers[name[len("integration.request.header.") :]] = (
                ",".join(value) if isinstance(value, list) else value
            )
        elif name.startswith("integration.request.querystring."):
            target.query[name[len("integration.request.querystring.") :]] = (
                value if isinstance(value, list) else [value]
            )
        elif name.startswith("integration.request.multivaluequerystring."):
            key = name[len("integration.request.multivaluequerystring.") :]
            target.query[key] = value if isinstance(value, list) else [value]
        elif name.startswith("integration.request.path."):
            target.path[name[len("integration.request.path.") :]] = value if isinstance(value, str) else value[-1]


def _render(template: str, body: str, invocation: Invocation, params: dict[str, Any]) -> str:
    """API Gateway renders the template without its surrounding whitespace: a YAML block scalar's
    final newline does not end up in a form-encoded body."""
    variables = template_variables(body, params, invocation.context, invocation.stage_variables)
    try:
        return render(template.strip(), variables)
    except BodyError as error:
        raise GatewayError(
            "BAD_REQUEST_BODY",
            f"Could not parse request body into json: {error}",
            400,
            b'{"message": "Could not parse request body into json"}',
        ) from None
    except TemplateError:
        raise internal_error() from None


def transform_request(invocation: Invocation, integration: dict[str, Any]) -> IntegrationRequest:
    """The integration request of a non-proxy integration: mapped parameters and the body the
    request template (or passthrough) makes."""
    target = IntegrationRequest(b"")
    map_request_parameters(invocation, integration, target)
    templates = integration.get("requestTemplates") or {}
    content_type = invocation.request.content_type or JSON
    template = templates.get(content_type)
    raw = invocation.request.body
    behaviour = integration.get("passthroughBehavior") or "WHEN_NO_MATCH"
    if template is None:
        if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and templates):
            raise GatewayError("UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type", 415)
        target.body = raw
        return target
    body = _render(template, raw.decode("utf-8", "replace"), invocation, invocation.params())
    target.body = body.encode()
    _apply_request_override(invocation, target)
    return target


def _apply_request_override(invocation: Invocation, target: IntegrationRequest) -> None:
    override = invocation.context.get("requestOverride") or {}
    for name, value in (override.get("header") or {}).items():
        target.headers[name] = to_string(value)
    for name, value in (override.get("querystring") or {}).items():
        target.query[name] = [to_string(value)]
    for name, value in (override.get("path") or {}).items():
        target.path[name] = to_string(value)


# Responses ------------------------------------------------------------------------------


def select_response(integration: dict[str, Any], subject: str) -> dict[str, Any] | None:
    """The integration response whose selectionPattern matches `subject` (a status code, or a
    Lambda error message), else the default one (no pattern)."""
    default = None
    for response in (integration.get("integrationResponses") or {}).values():
        pattern = response.get("selectionPattern")
        if not pattern:
            default = default or response
            continue
        try:
            matched = java_regex(pattern).fullmatch(subject or "") is not None
        except re.error:
            matched = False
        if matched:
            return response  # type: ignore[no-any-return]
    return default


def response_source(source: str, invocation: Invocation, response: IntegrationResponse) -> str | None:
    literal = _literal(source)
    if literal is not None:
        return literal
    if source.startswith("integration.response.header."):
        return Headers(response.headers).get(source[len("integration.response.header.") :])
    if source.startswith("integration.response.multivalueheader."):
        return Headers(response.headers).get(source[len("integration.response.multivalueheader.") :])
    if source == "integration.response.body" or source.startswith("integration.response.body."):
        return _body_value(response.body, source[len("integration.response.body") :])
    if source.startswith("stageVariables."):
        return invocation.stage_variables.get(source[len("stageVariables.") :])
    if source.startswith("context."):
        value = _context_value(invocation.context, source[len("context.") :])
        return None if value is None else to_string(value)
    value = request_source(invocation, source)
    return value if isinstance(value, str) else None


def transform_response(
    invocation: Invocation, selected: dict[str, Any], response: IntegrationResponse
) -> tuple[int, bytes, list[tuple[str, str]], str]:
    """Status, body, headers and content type of the method response."""
    headers: list[tuple[str, str]] = []
    for name, source in (selected.get("responseParameters") or {}).items():
        if not name.startswith("method.response.header."):
            continue
        value = response_source(source, invocation, response)
        if value is not None:
            headers.append((name[len("method.response.header.") :], value))
    templates = selected.get("responseTemplates") or {}
    accept = (invocation.request.headers.get("accept") or "").split(",")[0].split(";")[0].strip()
    if accept in templates:
        content_type = accept
    elif JSON in templates:
        content_type = JSON
    else:
        content_type = next(iter(templates), JSON)
    template = templates.get(content_type)
    status = int(selected.get("statusCode") or 200)
    if template:
        invocation.context["responseOverride"] = {"header": {}, "status": None}
        body = _render(template, response.body.decode("utf-8", "replace"), invocation, invocation.params()).encode()
        override = invocation.context.get("responseOverride") or {}
        if override.get("status") is not None:
            try:
                status = int(to_string(override["status"]))
            except ValueError:
                pass
        for name, value in (override.get("header") or {}).items():
            headers.append((str(name), to_string(value)))
    else:
        body = response.body
        content_type = Headers(response.headers).get("content-type") or JSON
    for name, value in headers:
        if name.lower() == "content-type":
            content_type = value
    headers = [(name, value) for name, value in headers if name.lower() != "content-type"]
    return status, body, headers, content_type
