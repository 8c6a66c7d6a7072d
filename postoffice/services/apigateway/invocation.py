"""One request to a deployed API as it travels through the stage: what it carries, the `$context`
it builds, and the errors API Gateway answers itself (gateway responses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import orjson

from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.services.apigateway import gateway_responses
from postoffice.services.apigateway.state import Doc, RestApiRecord, UsagePlanRecord
from postoffice.services.apigateway.template_variables import Headers, json_text, template_variables
from postoffice.services.apigateway.vtl import TemplateError, render

ERROR_TYPES = {
    "ACCESS_DENIED": "AccessDeniedException",
    "API_CONFIGURATION_ERROR": "InternalServerErrorException",
    "AUTHORIZER_CONFIGURATION_ERROR": "AuthorizerConfigurationException",
    "AUTHORIZER_FAILURE": "AuthorizerFailureException",
    "BAD_REQUEST_BODY": "BadRequestException",
    "BAD_REQUEST_PARAMETERS": "BadRequestException",
    "DEFAULT_4XX": "BadRequestException",
    "DEFAULT_5XX": "InternalServerErrorException",
    "EXPIRED_TOKEN": "ExpiredTokenException",
    "INTEGRATION_FAILURE": "InternalServerErrorException",
    "INTEGRATION_TIMEOUT": "InternalServerErrorException",
    "INVALID_API_KEY": "ForbiddenException",
    "INVALID_SIGNATURE": "InvalidSignatureException",
    "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
    "QUOTA_EXCEEDED": "LimitExceededException",
    "REQUEST_TOO_LARGE": "RequestTooLargeException",
    "RESOURCE_NOT_FOUND": "ResourceNotFoundException",
    "THROTTLED": "TooManyRequestsException",
    "UNAUTHORIZED": "UnauthorizedException",
    "UNSUPPORTED_MEDIA_TYPE": "UnsupportedMediaTypeException",
    "WAF_FILTERED": "WAFFilteredException",
}


class GatewayError(Exception):
    """API Gateway refusing or failing a request itself.

    `body`, when given, is what AWS answers while the gateway response is not customised (AWS
    writes some of these answers differently from the `{"message":...}` default template).
    """

    def __init__(
        self,
        response_type: str,
        message: str | None,
        status: int | None = None,
        body: bytes | None = None,
        validation_errors: str | None = None,
    ) -> None:
        super().__init__(message)
        self.response_type = response_type
        self.message = message
        self.status = status
        self.body = body
        self.validation_errors = validation_errors


def spaced(message: str) -> bytes:
    """`{"message": "..."}` with the space AWS puts after the colon in these answers."""
    return b'{"message": ' + orjson.dumps(message) + b"}"


def missing_token() -> GatewayError:
    return GatewayError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token")


def timed_out() -> GatewayError:
    return GatewayError("INTEGRATION_TIMEOUT", "Endpoint request timed out", 504, spaced("Endpoint request timed out"))


def internal_error(status: int = 500, response_type: str = "API_CONFIGURATION_ERROR") -> GatewayError:
    return GatewayError(response_type, "Internal server error", status, spaced("Internal server error"))


@dataclass
class Invocation:
    request: HttpRequest
    request_id: str
    account: str
    region: str
    record: RestApiRecord
    stage: Doc
    snapshot: Doc
    path: str
    now: float
    resource: Doc = field(default_factory=dict)
    method: Doc = field(default_factory=dict)
    path_params: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    api_key: Doc | None = None
    usage_plan: UsagePlanRecord | None = None
    authorizer: dict[str, Any] | None = None

    @property
    def api_id(self) -> str:
        return self.record.id

    @property
    def stage_name(self) -> str:
        return str(self.stage["stageName"])

    @property
    def stage_variables(self) -> dict[str, str]:
        return dict(self.stage.get("variables") or {})

    @property
    def http_method(self) -> str:
        return self.request.method.upper()

    @property
    def headers(self) -> Headers:
        return Headers(self.request.headers)

    @property
    def query(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, value in self.request.query:
            out.setdefault(key, []).append(value)
        return out

    @property
    def method_arn(self) -> str:
        resource_path = self.resource.get("path", "/").lstrip("/")
        return (
            f"arn:aws:execute-api:{self.region}:{self.account}:{self.api_id}/{self.stage_name}/"
            f"{self.http_method}/{resource_path}"
        )

    def params(self) -> dict[str, dict[str, str]]:
        """`$input.params()`: path, querystring and header parameters (the last value of each)."""
        return {
            "path": dict(self.path_params),
            "querystring": {key: values[-1] for key, values in self.query.items()},
            "header": Headers(self.request.headers),
        }

    def build_context(self, domain: str) -> None:
        moment = dt.datetime.fromtimestamp(self.now, dt.UTC)
        request = self.request
        self.context = {
            "accountId": self.account,
            "apiId": self.api_id,
            "deploymentId": self.stage.get("deploymentId"),
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "extendedRequestId": self.request_id[:8].upper() + "=",
            "httpMethod": self.http_method,
            "identity": {
                "accountId": None,
                "apiKey": None,
                "apiKeyId": None,
                "accessKey": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": request.client or "127.0.0.1",
                "user": None,
                "userAgent": request.headers.get("user-agent", ""),
                "userArn": None,
            },
            "path": f"/{self.stage_name}{self.path}",
            "protocol": "HTTP/1.1",
            "requestId": self.request_id,
            "requestTime": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(self.now * 1000),
            "resourceId": self.resource.get("id"),
            "resourcePath": self.resource.get("path"),
            "stage": self.stage_name,
            "authorizer": {},
            "error": {},
            "requestOverride": {"header": {}, "path": {}, "querystring": {}},
            "responseOverride": {"header": {}, "status": None},
        }


def error_response(error: GatewayError, invocation: Invocation | None) -> HttpResponse:
    """The gateway response for `error`, customised by the API's gateway responses if deployed."""
    configured = invocation.snapshot.get("gatewayResponses", {}) if invocation is not None else {}
    response = gateway_responses.effective(error.response_type, configured)
    status = error.status or int(response.get("statusCode") or (500 if "5XX" in error.response_type else 400))
    if response.get("statusCode") and error.response_type in configured:
        status = int(response["statusCode"])
    request_id = invocation.request_id if invocation is not None else ""
    headers = [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", ERROR_TYPES.get(error.response_type, ""))]
    if response.get("defaultResponse") and error.body is not None:
        return HttpResponse(status, error.body, headers, "application/json")
    context = dict(invocation.context) if invocation is not None else {}
    context["error"] = {
        "message": error.message,
        "messageString": json_text(error.message),
        "responseType": error.response_type,
        "validationErrorString": error.validation_errors,
    }
    templates = response.get("responseTemplates") or {}
    content_type = "application/json" if "application/json" in templates else next(iter(templates), "application/json")
    template = templates.get(content_type)
    body = b""
    if template:
        variables = _error_variables(invocation, context)
        try:
            body = render(template, variables).encode()
        except TemplateError:
            body = spaced("Internal server error")
    for name, source in (response.get("responseParameters") or {}).items():
        if name.startswith("gatewayresponse.header."):
            value = _error_parameter(source, invocation, context)
            if value is not None:
                headers.append((name[len("gatewayresponse.header.") :], value))
    return HttpResponse(status, body, headers, content_type)


def _error_variables(invocation: Invocation | None, context: dict[str, Any]) -> dict[str, Any]:
    if invocation is None:
        return template_variables("", {"path": {}, "querystring": {}, "header": {}}, context, {})
    body = invocation.request.body.decode("utf-8", "replace")
    return template_variables(body, invocation.params(), context, invocation.stage_variables)


def _error_parameter(source: str, invocation: Invocation | None, context: dict[str, Any]) -> str | None:
    if source.startswith("'") and source.endswith("'") and len(source) >= 2:
        return source[1:-1]
    if invocation is None:
        return None
    params = invocation.params()
    for prefix, location in (
        ("method.request.header.", "header"),
        ("method.request.querystring.", "querystring"),
        ("method.request.path.", "path"),
    ):
        if source.startswith(prefix):
            found = params[location].get(source[len(prefix) :])
            return None if found is None else str(found)
    if source.startswith("stageVariables."):
        return invocation.stage_variables.get(source[len("stageVariables.") :])
    if source.startswith("context."):
        value: Any = context
        for part in source[len("context.") :].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None else str(value)
    return None
