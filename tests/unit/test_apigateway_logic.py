"""Pure pieces of API Gateway: route matching, patch operations, quota periods, token buckets,
gateway response fallbacks, integration URIs and policy evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from postoffice.protocol.errors import ServiceError
from postoffice.services.apigateway import gateway_responses
from postoffice.services.apigateway.authorizers import evaluate_policy
from postoffice.services.apigateway.integration_uri import parse_aws_uri
from postoffice.services.apigateway.invocation import GatewayError
from postoffice.services.apigateway.patch import PatchField, apply_patches
from postoffice.services.apigateway.routing import find_route
from postoffice.services.apigateway.usage import UsageMeter, period_start


def resources(*specs: tuple[str, list[str]]) -> dict[str, dict[str, Any]]:
    return {
        path: {"id": path, "path": path, "resourceMethods": {method: {"httpMethod": method} for method in methods}}
        for path, methods in specs
    }


TREE = resources(
    ("/", ["GET"]),
    ("/pets", ["GET", "POST"]),
    ("/pets/{id}", ["GET"]),
    ("/pets/{id}/toys/{proxy+}", ["ANY"]),
    ("/pets/special", ["GET"]),
    ("/{proxy+}", ["ANY"]),
)


@pytest.mark.parametrize(
    ("method", "path", "resource", "params"),
    [
        ("GET", "/", "/", {}),
        ("GET", "/pets", "/pets", {}),
        ("GET", "/pets/", "/pets", {}),
        ("GET", "/pets/special", "/pets/special", {}),
        ("GET", "/pets/7", "/pets/{id}", {"id": "7"}),
        ("DELETE", "/pets/7", "/{proxy+}", {"proxy": "pets/7"}),
        ("PUT", "/pets/7/toys/ball/red", "/pets/{id}/toys/{proxy+}", {"id": "7", "proxy": "ball/red"}),
        ("GET", "/other/deep/path", "/{proxy+}", {"proxy": "other/deep/path"}),
    ],
)
def test_route_matching(method: str, path: str, resource: str, params: dict[str, str]) -> None:
    route = find_route(TREE, method, path)
    assert route is not None
    assert (route.resource["path"], route.path_params) == (resource, params)


def test_no_route() -> None:
    tree = resources(("/pets", ["GET"]), ("/pets/{id}", ["GET"]))
    assert find_route(tree, "GET", "/cats") is None
    assert find_route(tree, "POST", "/pets") is None
    assert find_route(tree, "GET", "/pets/1/2") is None
    assert find_route(resources(("/{proxy+}", ["ANY"])), "GET", "/") is None


def test_patch_operations() -> None:
    target: dict[str, Any] = {"name": "a", "flags": ["x"], "params": {}}
    fields = [
        PatchField("/name", ops=("replace",)),
        PatchField("/enabled", "bool"),
        PatchField("/limit", "int"),
        PatchField("/flags/*", "item"),
        PatchField("/params/*", "bool"),
    ]
    apply_patches(
        target,
        [
            {"op": "replace", "path": "/name", "value": "b"},
            {"op": "add", "path": "/enabled", "value": "TRUE"},
            {"op": "replace", "path": "/limit", "value": "7"},
            {"op": "add", "path": "/flags/a~1b"},
            {"op": "remove", "path": "/flags/x"},
            {"op": "add", "path": "/params/method.request.header.X", "value": "false"},
        ],
        fields,
    )
    assert target == {
        "name": "b",
        "enabled": True,
        "limit": 7,
        "flags": ["a/b"],
        "params": {"method.request.header.X": False},
    }
    with pytest.raises(ServiceError, match="Invalid patch path /unknown"):
        apply_patches(target, [{"op": "replace", "path": "/unknown", "value": "1"}], fields)
    with pytest.raises(ServiceError, match="specified for op 'add'"):
        apply_patches(target, [{"op": "add", "path": "/name", "value": "1"}], fields)
    with pytest.raises(ServiceError):
        apply_patches(target, [{"op": "replace", "path": "/enabled", "value": "maybe"}], fields)


def test_quota_periods() -> None:
    wednesday = dt.date(2024, 5, 15)
    assert period_start({"period": "DAY"}, wednesday) == wednesday
    assert period_start({"period": "WEEK", "offset": 0}, wednesday) == dt.date(2024, 5, 12)
    assert period_start({"period": "WEEK", "offset": 1}, wednesday) == dt.date(2024, 5, 13)
    assert period_start({"period": "MONTH", "offset": 0}, wednesday) == dt.date(2024, 5, 1)
    assert period_start({"period": "MONTH", "offset": 20}, wednesday) == dt.date(2024, 4, 21)


def test_usage_meter_enforces_quota() -> None:
    meter = UsageMeter()
    quota = {"limit": 2, "period": "DAY"}
    noon = dt.datetime(2024, 5, 15, 12, tzinfo=dt.UTC).timestamp()
    assert [meter.take("plan", "key", quota, noon) for _ in range(3)] == [True, True, False]
    assert meter.used_on("plan", "key", dt.date(2024, 5, 15)) == 2
    assert meter.take("plan", "key", quota, noon + 86_400) is True


def test_gateway_response_fallbacks() -> None:
    configured = {
        "DEFAULT_5XX": {"responseType": "DEFAULT_5XX", "responseTemplates": {"application/json": "oops"}},
        "THROTTLED": {"responseType": "THROTTLED", "statusCode": "503", "responseTemplates": {}},
    }
    assert gateway_responses.effective("INTEGRATION_TIMEOUT", configured)["responseTemplates"] == {
        "application/json": "oops"
    }
    assert gateway_responses.effective("INTEGRATION_TIMEOUT", configured)["statusCode"] == "504"
    assert gateway_responses.effective("THROTTLED", configured)["statusCode"] == "503"
    default = gateway_responses.effective("UNAUTHORIZED", configured)
    assert default["defaultResponse"] is True and default["statusCode"] == "401"


def test_integration_uris() -> None:
    lambda_uri = parse_aws_uri(
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:eu-west-1:123456789012:function:fn:live/invocations"
    )
    assert lambda_uri is not None and lambda_uri.region == "eu-west-1"
    assert lambda_uri.function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:fn:live"
    sqs = parse_aws_uri("arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders")
    assert sqs is not None and (sqs.service, sqs.kind, sqs.rest, sqs.function_arn) == (
        "sqs",
        "path",
        "123456789012/orders",
        None,
    )
    action = parse_aws_uri("arn:aws:apigateway:us-east-1:states:action/StartExecution")
    assert action is not None and (action.service, action.kind, action.rest) == ("states", "action", "StartExecution")
    assert parse_aws_uri("https://example.com") is None


def test_policy_evaluation() -> None:
    arn = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets/1"

    def policy(effect: str, resource: str, action: Any = "execute-api:Invoke") -> dict[str, Any]:
        return {"Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}

    assert evaluate_policy(policy("Allow", arn), arn) is True
    assert evaluate_policy(policy("Allow", "arn:aws:execute-api:us-east-1:000000000000:abc/prod/*"), arn) is True
    assert evaluate_policy(policy("Allow", "arn:aws:execute-api:us-east-1:000000000000:abc/prod/POST/*"), arn) is False
    assert evaluate_policy(policy("Allow", arn, ["execute-api:*"]), arn) is True
    assert evaluate_policy(policy("Allow", arn, "s3:GetObject"), arn) is False
    with pytest.raises(GatewayError) as excinfo:
        evaluate_policy(
            {
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": arn},
                ]
            },
            arn,
        )
    assert excinfo.value.response_type == "ACCESS_DENIED"
