"""Integration URIs: what an integration points at, and the checks PutIntegration makes.

arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/<function-arn>/invocations
arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders
arn:aws:apigateway:us-east-1:events:action/PutEvents
https://example.com/pets/{id}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from postoffice.services.apigateway import errors

_AWS_URI = re.compile(
    r"^arn:aws[a-z-]*:apigateway:([a-z0-9-]*|\$\{stageVariables\.[^}]+\}):([a-z0-9.-]+):(path|action)/(.*)$"
)
_LAMBDA_PATH = re.compile(r"^2015-03-31/functions/(.+)/invocations$")
_HTTP_URI = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class AwsUri:
    region: str
    service: str
    kind: str  # path | action
    rest: str

    @property
    def function_arn(self) -> str | None:
        if self.service != "lambda" or self.kind != "path":
            return None
        match = _LAMBDA_PATH.match(self.rest)
        return match.group(1) if match else None


def parse_aws_uri(uri: str) -> AwsUri | None:
    match = _AWS_URI.match(uri or "")
    if match is None:
        return None
    region, service, kind, rest = match.groups()
    return AwsUri(region, service.split(".")[-1] if "." in service else service, kind, rest)


def check_integration(integration: dict[str, Any]) -> None:
    kind = integration.get("type")
    uri = integration.get("uri") or ""
    if kind not in ("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"):
        raise errors.bad_request(
            f"Invalid integration type specified: {kind}. Valid values are HTTP, AWS, MOCK, HTTP_PROXY, AWS_PROXY"
        )
    timeout = integration.get("timeoutInMillis")
    if timeout is not None and not 50 <= int(timeout) <= 29000:
        raise errors.bad_request("Timeout should be between 50 ms and 29000 ms")
    behaviour = integration.get("passthroughBehavior")
    if behaviour not in (None, "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"):
        raise errors.bad_request(
            "Invalid passthrough behavior specified: "
            f"{behaviour}, valid values are: WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER"
        )
    if kind == "MOCK":
        return
    if not integration.get("httpMethod"):
        raise errors.bad_request("Enumeration value for HttpMethod must be non-empty")
    if kind in ("HTTP", "HTTP_PROXY"):
        if not _HTTP_URI.match(uri):
            raise errors.bad_request("Invalid HTTP endpoint specified for URI")
        return
    parsed = parse_aws_uri(uri)
    if parsed is None:
        raise errors.bad_request("AWS ARN for integration must contain path or action")
    if kind == "AWS_PROXY" and parsed.function_arn is None:
        raise errors.bad_request(
            "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."
        )
