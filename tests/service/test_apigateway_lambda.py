"""Lambda behind API Gateway: proxy integrations (the 1.0 event, the response contract, malformed
answers), non-proxy integrations with error-message selection, Lambda authorizers (TOKEN and
REQUEST, policies, caching on the virtual clock, usage identifier keys) and AWS_IAM."""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any

import pytest
import requests
from server import ServerProcess

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures", "lambda"))

from lambda_support import create_function, zip_files  # noqa: E402

ACCOUNT = "000000000000"
PROXY_HANDLER = """
import base64, json

def handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode")
    if mode == "malformed":
        return {"statusCode": 200, "body": {"not": "a string"}}
    if mode == "extra":
        return {"statusCode": 200, "body": "x", "unexpected": True}
    if mode == "crash":
        raise RuntimeError("boom")
    if mode == "plain":
        return "just a string"
    if mode == "binary":
        return {"statusCode": 200, "isBase64Encoded": True, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG").decode()}
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "X-Single": "1"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps({"event": event, "function": context.function_name}),
    }
"""
PLAIN_HANDLER = """
def handler(event, context):
    if event.get("fail") == "notfound":
        raise KeyError("NotFound: no such order")
    if event.get("fail"):
        raise ValueError("Something else")
    return {"orderId": event.get("orderId"), "doubled": event.get("n", 0) * 2}
"""
AUTHORIZER_HANDLER = """
calls = 0

def handler(event, context):
    global calls
    calls += 1
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("x-token", "")
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "broken":
        return {"nothing": "useful"}
    effect = "Deny" if token == "deny" else "Allow"
    resource = event["methodArn"] if token != "other-method" else event["methodArn"].rsplit("/", 2)[0] + "/DELETE/x"
    return {
        "principalId": "user-" + token,
        "policyDocument": {"Version": "2012-10-17",
                           "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
        "context": {"calls": calls, "tier": "gold", "type": event["type"]},
        "usageIdentifierKey": "k" * 30,
    }
"""


def function(server: ServerProcess, name: str, code: str) -> str:
    create_function(server.client, name, Code={"ZipFile": zip_files({"app.py": code})})
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def invocation_uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def proxy_api(server: ServerProcess, arn: str, **method: Any) -> tuple[Any, dict[str, Any]]:
    apigw = server.client("apigateway")
    api = apigw.create_rest_api(name="lambda-api", binaryMediaTypes=["image/png"])
    users = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="users")["id"]
    user = apigw.create_resource(restApiId=api["id"], parentId=users, pathPart="{userId}")["id"]
    keys = {"restApiId": api["id"], "resourceId": user, "httpMethod": "ANY"}
    apigw.put_method(**keys, **{"authorizationType": "NONE", **method})
    apigw.put_integration(**keys, type="AWS_PROXY", integrationHttpMethod="POST", uri=invocation_uri(arn))
    return apigw, {"api": api["id"], "keys": keys}


@pytest.fixture(scope="module")
def lambda_server() -> Any:
    server = ServerProcess(store="memory", clock="virtual").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy_arn(lambda_server: ServerProcess) -> str:
    return function(lambda_server, "proxy", PROXY_HANDLER)


@pytest.fixture(scope="module")
def authorizer_arn(lambda_server: ServerProcess) -> str:
    return function(lambda_server, "authorizer", AUTHORIZER_HANDLER)


def url(server: ServerProcess, api_id: str, path: str, stage: str = "prod") -> str:
    return f"{server.endpoint}/restapis/{api_id}/{stage}/_user_request_{path}"


def test_proxy_event_carries_every_field(lambda_server: ServerProcess, proxy_arn: str) -> None:
    apigw, made = proxy_api(lambda_server, proxy_arn)
    apigw.create_deployment(restApiId=made["api"], stageName="prod", variables={"color": "blue"})
    answer = requests.post(
        url(lambda_server, made["api"], "/users/u-7?tag=a&tag=b&single=1"),
        data=json.dumps({"name": "Ann"}),
        headers={"Content-Type": "application/json", "X-Custom": "c", "User-Agent": "tests/1"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["X-Single"] == "1"
    assert answer.headers["Set-Cookie"] in ("a=1, b=2", "a=1,b=2")
    payload = answer.json()
    assert payload["function"] == "proxy"
    event = payload["event"]
    assert event["resource"] == "/users/{userId}"
    assert event["path"] == "/users/u-7"
    assert event["httpMethod"] == "POST"
    assert event["headers"]["x-custom"] == "c"
    assert event["multiValueHeaders"]["x-custom"] == ["c"]
    assert event["queryStringParameters"] == {"tag": "b", "single": "1"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "single": ["1"]}
    assert event["pathParameters"] == {"userId": "u-7"}
    assert event["stageVariables"] == {"color": "blue"}
    assert event["body"] == '{"name": "Ann"}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["requestId"] == answer.headers["x-amzn-RequestId"]
    assert {key: context[key] for key in ("accountId", "apiId", "resourcePath", "httpMethod", "path", "stage")} == {
        "accountId": ACCOUNT,
        "apiId": made["api"],
        "resourcePath": "/users/{userId}",
        "httpMethod": "POST",
        "path": "/prod/users/u-7",
        "stage": "prod",
    }
    assert context["resourceId"] == made["keys"]["resourceId"]
    assert context["protocol"] == "HTTP/1.1" and context["extendedRequestId"]
    assert isinstance(context["requestTimeEpoch"], int) and context["requestTime"].endswith("+0000")
    assert context["identity"]["sourceIp"] == "127.0.0.1" and context["identity"]["userAgent"] == "tests/1"
    assert context["domainName"] == f"{made['api']}.execute-api.localhost"


def test_empty_request_has_null_collections(lambda_server: ServerProcess, proxy_arn: str) -> None:
    apigw, made = proxy_api(lambda_server, proxy_arn)
    apigw.create_deployment(restApiId=made["api"], stageName="prod")
    event = requests.get(url(lambda_server, made["api"], "/users/1")).json()["event"]
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["stageVariables"] is None and event["body"] is None


def test_binary_bodies(lambda_server: ServerProcess, proxy_arn: str) -> None:
    apigw, made = proxy_api(lambda_server, proxy_arn)
    apigw.create_deployment(restApiId=made["api"], stageName="prod")
    event = requests.put(
        url(lambda_server, made["api"], "/users/1"), data=b"\x00\x01", headers={"Content-Type": "image/png"}
    ).json()["event"]
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x00\x01"
    image = requests.get(url(lambda_server, made["api"], "/users/1?mode=binary"), headers={"Accept": "image/png"})
    assert image.content == b"\x89PNG" and image.headers["Content-Type"] == "image/png"


@pytest.mark.parametrize("mode", ["malformed", "extra", "crash", "plain"])
def test_malformed_or_failed_proxy_answers_are_502(lambda_server: ServerProcess, proxy_arn: str, mode: str) -> None:
    apigw, made = proxy_api(lambda_server, proxy_arn)
    apigw.create_deployment(restApiId=made["api"], stageName="prod")
    answer = requests.get(url(lambda_server, made["api"], f"/users/1?mode={mode}"))
    assert (answer.status_code, answer.text) == (502, '{"message": "Internal server error"}')
    assert answer.headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_missing_function_is_an_internal_error(lambda_server: ServerProcess) -> None:
    apigw, made = proxy_api(lambda_server, f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:nothing")
    apigw.create_deployment(restApiId=made["api"], stageName="prod")
    answer = requests.get(url(lambda_server, made["api"], "/users/1"))
    assert (answer.status_code, answer.json()) == (500, {"message": "Internal server error"})


def test_function_from_a_stage_variable(lambda_server: ServerProcess, proxy_arn: str) -> None:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:${{stageVariables.fn}}"
    apigw, made = proxy_api(lambda_server, arn)
    apigw.create_deployment(restApiId=made["api"], stageName="prod", variables={"fn": "proxy"})
    assert requests.get(url(lambda_server, made["api"], "/users/1")).status_code == 201


def test_lambda_non_proxy_integration_selects_by_error_message(lambda_server: ServerProcess) -> None:
    arn = function(lambda_server, "plain", PLAIN_HANDLER)
    apigw = lambda_server.client("apigateway")
    api = apigw.create_rest_api(name="plain")
    keys = {"restApiId": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "POST"}
    apigw.put_method(**keys, authorizationType="NONE")
    apigw.put_integration(
        **keys, type="AWS", integrationHttpMethod="POST", uri=invocation_uri(arn),
        requestTemplates={"application/json": '{"orderId": "$input.params(\'id\')", "n": $input.json(\'$.n\'), '
                                              '"fail": "$!input.params(\'fail\')"}'},
    )  # fmt: skip
    for status in ("200", "404", "500"):
        apigw.put_method_response(**keys, statusCode=status)
    apigw.put_integration_response(**keys, statusCode="200")
    apigw.put_integration_response(
        **keys, statusCode="404", selectionPattern=".*NotFound.*",
        responseTemplates={"application/json": '{"error": "$input.path(\'$.errorMessage\')"}'},
    )  # fmt: skip
    apigw.put_integration_response(**keys, statusCode="500", selectionPattern="Something.*")
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    ok = requests.post(url(lambda_server, api["id"], "/?id=o-1"), json={"n": 21})
    assert (ok.status_code, ok.json()) == (200, {"orderId": "o-1", "doubled": 42})
    missing = requests.post(url(lambda_server, api["id"], "/?id=o-1&fail=notfound"), json={"n": 1})
    assert missing.status_code == 404 and "NotFound" in missing.json()["error"]
    other = requests.post(url(lambda_server, api["id"], "/?id=o-1&fail=other"), json={"n": 1})
    assert other.status_code == 500


# Authorizers ----------------------------------------------------------------------------


def authorized_api(server: ServerProcess, proxy: str, function_arn: str, kind: str, ttl: int, **extra: Any) -> str:
    apigw = server.client("apigateway")
    settings: dict[str, Any] = {
        "name": f"{kind.lower()}-auth",
        "type": kind,
        "authorizerUri": invocation_uri(function_arn),
        "authorizerResultTtlInSeconds": ttl,
        "identitySource": "method.request.header.Authorization" if kind == "TOKEN" else "method.request.header.X-Token",
    }
    settings.update(extra.pop("authorizer", {}))
    api = apigw.create_rest_api(name="secured", **extra.pop("api", {}))
    authorizer_id = apigw.create_authorizer(restApiId=api["id"], **settings)["id"]
    resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="{userId}")["id"]
    keys = {"restApiId": api["id"], "resourceId": resource, "httpMethod": "GET"}
    apigw.put_method(**keys, authorizationType="CUSTOM", authorizerId=authorizer_id, **extra.pop("method", {}))
    apigw.put_integration(**keys, type="AWS_PROXY", integrationHttpMethod="POST", uri=invocation_uri(proxy))
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    return str(api["id"])


def test_token_authorizer_allows_denies_and_caches(
    lambda_server: ServerProcess, proxy_arn: str, authorizer_arn: str
) -> None:
    api_id = authorized_api(lambda_server, proxy_arn, authorizer_arn, "TOKEN", ttl=300)
    target = url(lambda_server, api_id, "/u1")
    missing = requests.get(target)
    assert (missing.status_code, missing.text) == (401, '{"message":"Unauthorized"}')
    assert missing.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    unauthorized = requests.get(target, headers={"Authorization": "unauthorized"})
    assert unauthorized.status_code == 401
    denied = requests.get(target, headers={"Authorization": "deny"})
    assert denied.status_code == 403
    assert denied.json() == {"Message": "User is not authorized to access this resource with an explicit deny"}
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    elsewhere = requests.get(target, headers={"Authorization": "other-method"})
    assert elsewhere.json() == {"Message": "User is not authorized to access this resource"}
    broken = requests.get(target, headers={"Authorization": "broken"})
    assert (broken.status_code, broken.text) == (500, '{"message": null}')
    first = requests.get(target, headers={"Authorization": "good"}).json()["event"]["requestContext"]["authorizer"]
    assert first["principalId"] == "user-good" and first["tier"] == "gold" and first["type"] == "TOKEN"
    again = requests.get(target, headers={"Authorization": "good"}).json()["event"]["requestContext"]["authorizer"]
    assert again["calls"] == first["calls"]
    lambda_server.advance(301)
    later = requests.get(target, headers={"Authorization": "good"}).json()["event"]["requestContext"]["authorizer"]
    assert later["calls"] > first["calls"]


def test_token_authorizer_validation_expression_and_no_cache(
    lambda_server: ServerProcess, proxy_arn: str, authorizer_arn: str
) -> None:
    api_id = authorized_api(
        lambda_server, proxy_arn, authorizer_arn, "TOKEN", ttl=0,
        authorizer={"identityValidationExpression": "^[a-z]+$"},
    )  # fmt: skip
    target = url(lambda_server, api_id, "/u1")
    assert requests.get(target, headers={"Authorization": "Bad-Token-1"}).status_code == 401
    first = requests.get(target, headers={"Authorization": "good"}).json()["event"]["requestContext"]["authorizer"]
    second = requests.get(target, headers={"Authorization": "good"}).json()["event"]["requestContext"]["authorizer"]
    assert second["calls"] == first["calls"] + 1


def test_request_authorizer_and_api_key_from_the_authorizer(
    lambda_server: ServerProcess, proxy_arn: str, authorizer_arn: str
) -> None:
    api_id = authorized_api(
        lambda_server, proxy_arn, authorizer_arn, "REQUEST", ttl=60,
        api={"apiKeySource": "AUTHORIZER"}, method={"apiKeyRequired": True},
    )  # fmt: skip
    apigw = lambda_server.client("apigateway")
    target = url(lambda_server, api_id, "/u1")
    assert requests.get(target).status_code == 401
    assert requests.get(target, headers={"X-Token": "good"}).status_code == 403
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])["id"]
    key = apigw.create_api_key(name="from-authorizer", value="k" * 30, enabled=True)["id"]
    apigw.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
    answer = requests.get(target, headers={"X-Token": "good"})
    assert answer.status_code == 201, answer.text
    event = answer.json()["event"]
    assert event["requestContext"]["authorizer"]["type"] == "REQUEST"
    assert event["requestContext"]["identity"]["apiKeyId"] == key


def test_aws_iam_authorization(lambda_server: ServerProcess, proxy_arn: str) -> None:
    apigw, made = proxy_api(lambda_server, proxy_arn, authorizationType="AWS_IAM")
    apigw.create_deployment(restApiId=made["api"], stageName="prod")
    target = url(lambda_server, made["api"], "/users/1")
    unsigned = requests.get(target)
    assert (unsigned.status_code, unsigned.text) == (403, '{"message":"Missing Authentication Token"}')
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials

    request = botocore.awsrequest.AWSRequest(method="GET", url=target)
    credentials = botocore.credentials.Credentials("AKIAIOSFODNN7EXAMPLE", "secret")
    botocore.auth.SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    signed = requests.get(target, headers=dict(request.headers))
    assert signed.status_code == 201
    identity = signed.json()["event"]["requestContext"]["identity"]
    assert identity["accessKey"] == "AKIAIOSFODNN7EXAMPLE" and identity["accountId"] == ACCOUNT
