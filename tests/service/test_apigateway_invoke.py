"""Invoking deployed REST APIs over HTTP: the three invocation URL forms, routing, mapping
templates with MOCK and HTTP integrations, request validation, gateway responses, CORS, API
keys and usage plans, throttling and integration timeouts on the virtual clock."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from server import ServerProcess

Client = Callable[..., Any]


class Api:
    """A REST API under construction in a test: resources by path, methods, a deployment."""

    def __init__(self, server: ServerProcess, name: str = "api", **create: Any) -> None:
        self.server = server
        self.client = server.client("apigateway")
        created = self.client.create_rest_api(name=name, **create)
        self.id = created["id"]
        self.resources = {"/": created["rootResourceId"]}

    def resource(self, path: str) -> str:
        if path in self.resources:
            return self.resources[path]
        parent, _, part = path.rpartition("/")
        parent_id = self.resource(parent or "/")
        self.resources[path] = self.client.create_resource(restApiId=self.id, parentId=parent_id, pathPart=part)["id"]
        return self.resources[path]

    def method(self, path: str, http_method: str, **method: Any) -> dict[str, Any]:
        keys = {"restApiId": self.id, "resourceId": self.resource(path), "httpMethod": http_method}
        self.client.put_method(**keys, **{"authorizationType": "NONE", **method})
        return keys

    def mock(
        self,
        path: str,
        http_method: str = "GET",
        response: str = '{"ok": true}',
        status: str = "200",
        request_template: str = '{"statusCode": 200}',
        response_parameters: dict[str, str] | None = None,
        **method: Any,
    ) -> dict[str, Any]:
        keys = self.method(path, http_method, **method)
        self.client.put_integration(**keys, type="MOCK", requestTemplates={"application/json": request_template})
        self.client.put_method_response(
            **keys, statusCode=status, responseParameters={name: False for name in response_parameters or {}}
        )
        self.client.put_integration_response(
            **keys, statusCode=status, responseTemplates={"application/json": response},
            responseParameters=response_parameters or {},
        )  # fmt: skip
        return keys

    def deploy(self, stage: str = "prod", **kwargs: Any) -> None:
        self.client.create_deployment(restApiId=self.id, stageName=stage, **kwargs)

    def url(self, path: str, stage: str = "prod") -> str:
        return f"{self.server.endpoint}/restapis/{self.id}/{stage}/_user_request_{path}"

    def aws_url(self, path: str, stage: str = "prod") -> str:
        return f"{self.server.endpoint}/_aws/execute-api/{self.id}/{stage}{path}"

    def host(self, suffix: str = "localhost") -> dict[str, str]:
        return {"Host": f"{self.id}.execute-api.{suffix}:{self.server.port}"}


@pytest.fixture
def api(server: ServerProcess) -> Api:
    return Api(server)


# Ways in and routing ---------------------------------------------------------------------


def test_three_invocation_urls_reach_the_same_method(api: Api) -> None:
    api.mock("/pets", response='{"stage": "$context.stage", "path": "$context.path"}')
    api.deploy()
    expected = {"stage": "prod", "path": "/prod/pets"}
    assert requests.get(api.url("/pets")).json() == expected
    assert requests.get(api.aws_url("/pets")).json() == expected
    assert requests.get(f"{api.server.endpoint}/prod/pets", headers=api.host()).json() == expected
    by_cloud_host = requests.get(f"{api.server.endpoint}/prod/pets", headers=api.host("localhost.localstack.cloud"))
    assert by_cloud_host.json() == expected
    answer = requests.get(api.url("/pets"))
    assert answer.headers["x-amzn-RequestId"] and answer.headers["x-amz-apigw-id"]
    assert answer.headers["Content-Type"] == "application/json"


def test_unknown_route_wrong_stage_and_unknown_api(api: Api) -> None:
    api.mock("/pets")
    api.deploy()
    for url in (api.url("/nothing"), api.url("/pets", stage="dev"), f"{api.server.endpoint}/dev/pets"):
        headers = api.host() if url.endswith("/dev/pets") and "restapis" not in url else {}
        answer = requests.get(url, headers=headers)
        assert answer.status_code == 403
        assert answer.text == '{"message":"Missing Authentication Token"}'
        assert answer.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert requests.post(api.url("/pets")).status_code == 403
    assert requests.get(f"{api.server.endpoint}/restapis/nosuchapi1/prod/_user_request_/pets").status_code == 404


def test_most_specific_resource_wins_and_greedy_paths(api: Api) -> None:
    api.mock("/pets/{id}", response='{"r": "id", "id": "$input.params(\'id\')"}')
    api.mock("/pets/mine", response='{"r": "mine"}')
    api.mock("/{proxy+}", "ANY", response='{"r": "proxy", "rest": "$input.params(\'proxy\')"}')
    api.mock("/", response='{"r": "root"}')
    api.deploy()
    assert requests.get(api.url("/pets/mine")).json() == {"r": "mine"}
    assert requests.get(api.url("/pets/7")).json() == {"r": "id", "id": "7"}
    assert requests.get(api.url("/pets/7/")).json() == {"r": "id", "id": "7"}
    assert requests.delete(api.url("/pets/7/toys/1")).json() == {"r": "proxy", "rest": "pets/7/toys/1"}
    assert requests.post(api.url("/pets/mine")).json() == {"r": "proxy", "rest": "pets/mine"}
    assert requests.get(api.url("/")).json() == {"r": "root"}


def test_deployment_is_a_snapshot(api: Api) -> None:
    keys = api.mock("/pets", response='{"v": 1}')
    api.deploy()
    api.client.update_integration_response(
        **keys, statusCode="200",
        patchOperations=[{"op": "replace", "path": "/responseTemplates/application~1json", "value": '{"v": 2}'}],
    )  # fmt: skip
    assert requests.get(api.url("/pets")).json() == {"v": 1}
    api.deploy()
    assert requests.get(api.url("/pets")).json() == {"v": 2}


# Mapping templates ----------------------------------------------------------------------


def test_mock_templates_see_input_context_and_stage_variables(api: Api) -> None:
    response = json.dumps(
        {
            "method": "$context.httpMethod",
            "resourcePath": "$context.resourcePath",
            "requestId": "$context.requestId",
            "sourceIp": "$context.identity.sourceIp",
            "userAgent": "$context.identity.userAgent",
            "accountId": "$context.accountId",
            "apiId": "$context.apiId",
            "epoch": "$context.requestTimeEpoch",
            "env": "$stageVariables.env",
            "id": "$input.params('id')",
            "q": "$input.params('q')",
            "h": "$input.params('X-Custom')",
        }
    )
    api.mock("/items/{id}", "POST", response=response)
    api.deploy(variables={"env": "staging"})
    answer = requests.post(api.url("/items/9?q=search"), headers={"X-Custom": "yes", "User-Agent": "tester/1"}, json={})
    body = answer.json()
    assert body["requestId"] == answer.headers["x-amzn-RequestId"]
    assert body["epoch"].isdigit()
    assert {key: body[key] for key in body if key not in ("requestId", "epoch")} == {
        "method": "POST",
        "resourcePath": "/items/{id}",
        "sourceIp": "127.0.0.1",
        "userAgent": "tester/1",
        "accountId": "000000000000",
        "apiId": api.id,
        "env": "staging",
        "id": "9",
        "q": "search",
        "h": "yes",
    }


def test_mock_status_selection_and_response_override(api: Api) -> None:
    keys = api.method("/status", "GET")
    api.client.put_integration(
        **keys, type="MOCK",
        requestTemplates={"application/json": '{"statusCode": $input.params(\'code\')}'},
    )  # fmt: skip
    for status in ("200", "404"):
        api.client.put_method_response(**keys, statusCode=status)
    api.client.put_integration_response(**keys, statusCode="200", responseTemplates={"application/json": '{"ok": 1}'})
    api.client.put_integration_response(
        **keys, statusCode="404", selectionPattern="4\\d{2}",
        responseTemplates={
            "application/json": '#set($context.responseOverride.status = 410)'
            '#set($context.responseOverride.header.X-Gone = "yes"){"gone": true}'
        },
    )  # fmt: skip
    api.deploy()
    assert requests.get(api.url("/status?code=200")).json() == {"ok": 1}
    gone = requests.get(api.url("/status?code=404"))
    assert (gone.status_code, gone.json(), gone.headers["X-Gone"]) == (410, {"gone": True}, "yes")
    unmatched = requests.get(api.url("/status?code=500"))
    assert unmatched.status_code == 200


def test_no_matching_integration_response_is_an_internal_error(api: Api) -> None:
    keys = api.method("/x", "GET")
    api.client.put_integration(**keys, type="MOCK", requestTemplates={"application/json": '{"statusCode": 500}'})
    api.client.put_method_response(**keys, statusCode="200")
    api.client.put_integration_response(**keys, statusCode="200", selectionPattern="200")
    api.deploy()
    answer = requests.get(api.url("/x"))
    assert (answer.status_code, answer.json()) == (500, {"message": "Internal server error"})


def test_passthrough_behaviour(api: Api) -> None:
    keys = api.method("/never", "POST")
    api.client.put_integration(
        **keys, type="MOCK", passthroughBehavior="NEVER", requestTemplates={"application/json": '{"statusCode": 200}'}
    )
    api.client.put_method_response(**keys, statusCode="200")
    api.client.put_integration_response(**keys, statusCode="200")
    api.deploy()
    assert requests.post(api.url("/never"), json={}).status_code == 200
    refused = requests.post(api.url("/never"), data="<a/>", headers={"Content-Type": "application/xml"})
    assert (refused.status_code, refused.json()) == (415, {"message": "Unsupported Media Type"})


# Request validation ---------------------------------------------------------------------


def test_request_validation_of_parameters_and_body(api: Api) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["item", "quantity"],
        "properties": {"item": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}},
    }
    api.client.create_model(restApiId=api.id, name="Order", schema=json.dumps(schema), contentType="application/json")
    validator = api.client.create_request_validator(
        restApiId=api.id, name="all", validateRequestBody=True, validateRequestParameters=True
    )["id"]
    api.mock(
        "/orders", "POST",
        requestValidatorId=validator,
        requestModels={"application/json": "Order"},
        requestParameters={"method.request.querystring.tenant": True, "method.request.header.X-Trace": True},
    )  # fmt: skip
    api.deploy()
    headers = {"X-Trace": "t"}
    good = requests.post(api.url("/orders?tenant=a"), json={"item": "book", "quantity": 2}, headers=headers)
    assert good.status_code == 200
    bad = requests.post(api.url("/orders?tenant=a"), json={"item": "book", "quantity": 0}, headers=headers)
    assert (bad.status_code, bad.text) == (400, '{"message": "Invalid request body"}')
    assert bad.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert requests.post(api.url("/orders?tenant=a"), data="not json", headers=headers).status_code == 400
    missing = requests.post(api.url("/orders"), json={"item": "book", "quantity": 2})
    assert missing.status_code == 400
    assert missing.text == '{"message": "Missing required request parameters: [tenant, X-Trace]"}'


def test_models_can_reference_each_other(api: Api) -> None:
    line = {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}
    api.client.create_model(restApiId=api.id, name="Line", schema=json.dumps(line), contentType="application/json")
    cart = {
        "type": "object",
        "properties": {
            "lines": {
                "type": "array",
                "items": {"$ref": f"https://apigateway.amazonaws.com/restapis/{api.id}/models/Line"},
            }
        },
    }
    api.client.create_model(restApiId=api.id, name="Cart", schema=json.dumps(cart), contentType="application/json")
    validator = api.client.create_request_validator(restApiId=api.id, name="body", validateRequestBody=True)["id"]
    api.mock("/cart", "PUT", requestValidatorId=validator, requestModels={"application/json": "Cart"})
    api.deploy()
    assert requests.put(api.url("/cart"), json={"lines": [{"sku": "a"}]}).status_code == 200
    assert requests.put(api.url("/cart"), json={"lines": [{"qty": 1}]}).status_code == 400


def test_custom_gateway_response_renders_the_validation_error(api: Api) -> None:
    api.client.put_gateway_response(
        restApiId=api.id, responseType="BAD_REQUEST_BODY", statusCode="422",
        responseParameters={"gatewayresponse.header.X-Reason": "'validation'"},
        responseTemplates={"application/json": '{"error": $context.error.messageString, '
                                               '"details": "$context.error.validationErrorString"}'},
    )  # fmt: skip
    api.client.put_gateway_response(
        restApiId=api.id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
        responseTemplates={"application/json": '{"message": "no route for $context.path"}'},
    )  # fmt: skip
    model = {"type": "object", "required": ["name"]}
    api.client.create_model(restApiId=api.id, name="Named", schema=json.dumps(model), contentType="application/json")
    validator = api.client.create_request_validator(restApiId=api.id, name="body", validateRequestBody=True)["id"]
    api.mock("/named", "POST", requestValidatorId=validator, requestModels={"application/json": "Named"})
    api.deploy()
    answer = requests.post(api.url("/named"), json={})
    assert answer.status_code == 422 and answer.headers["X-Reason"] == "validation"
    body = answer.json()
    assert body["error"] == "Invalid request body" and "name" in body["details"]
    missing = requests.get(api.url("/elsewhere"))
    assert (missing.status_code, missing.json()) == (404, {"message": "no route for /prod/elsewhere"})


def test_default_4xx_gateway_response_applies_to_its_family(api: Api) -> None:
    api.client.put_gateway_response(
        restApiId=api.id, responseType="DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
    )  # fmt: skip
    api.mock("/x")
    api.deploy()
    answer = requests.get(api.url("/missing"))
    assert answer.status_code == 403 and answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.json() == {"message": "Missing Authentication Token"}


def test_cors_preflight_with_a_mock_options_method(api: Api) -> None:
    headers = {
        "method.response.header.Access-Control-Allow-Origin": "'https://shop.example'",
        "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
        "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Api-Key'",
    }
    api.mock("/orders", "OPTIONS", response="", response_parameters=headers)
    api.mock("/orders", "GET", response_parameters={"method.response.header.Access-Control-Allow-Origin": "'*'"})
    api.deploy()
    preflight = requests.options(api.url("/orders"), headers={"Origin": "https://shop.example"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert requests.get(api.url("/orders")).headers["Access-Control-Allow-Origin"] == "*"


# API keys, usage plans, throttling ------------------------------------------------------


def keyed_api(
    server: ServerProcess, quota: dict[str, Any] | None = None, throttle: dict[str, Any] | None = None
) -> tuple[Api, str]:
    api = Api(server)
    api.mock("/secret", apiKeyRequired=True)
    api.mock("/open")
    api.deploy()
    plan: dict[str, Any] = {"name": "plan", "apiStages": [{"apiId": api.id, "stage": "prod"}]}
    if quota:
        plan["quota"] = quota
    if throttle:
        plan["throttle"] = throttle
    plan_id = api.client.create_usage_plan(**plan)["id"]
    key = api.client.create_api_key(name="k", enabled=True)
    api.client.create_usage_plan_key(usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY")
    return api, key["value"]


def test_api_key_required(server: ServerProcess) -> None:
    api, value = keyed_api(server)
    forbidden = requests.get(api.url("/secret"))
    assert (forbidden.status_code, forbidden.text) == (403, '{"message":"Forbidden"}')
    assert forbidden.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert requests.get(api.url("/secret"), headers={"x-api-key": "wrong" * 8}).status_code == 403
    assert requests.get(api.url("/secret"), headers={"x-api-key": value}).status_code == 200
    assert requests.get(api.url("/open")).status_code == 200
    loose = api.client.create_api_key(name="loose", enabled=True)
    assert requests.get(api.url("/secret"), headers={"x-api-key": loose["value"]}).status_code == 403
    key_id = api.client.get_api_keys(nameQuery="k")["items"][0]["id"]
    api.client.update_api_key(apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}])
    assert requests.get(api.url("/secret"), headers={"x-api-key": value}).status_code == 403


def test_quota_counts_requests_per_day(virtual_server: ServerProcess) -> None:
    api, value = keyed_api(virtual_server, quota={"limit": 2, "period": "DAY"})
    headers = {"x-api-key": value}
    assert [requests.get(api.url("/secret"), headers=headers).status_code for _ in range(2)] == [200, 200]
    exceeded = requests.get(api.url("/secret"), headers=headers)
    assert (exceeded.status_code, exceeded.text) == (429, '{"message":"Limit Exceeded"}')
    assert exceeded.headers["x-amzn-ErrorType"] == "LimitExceededException"
    plan_id = api.client.get_usage_plans()["items"][0]["id"]
    key_id = api.client.get_api_keys()["items"][0]["id"]
    import datetime as dt

    today = dt.datetime.fromtimestamp(virtual_server.now(), dt.UTC).date().isoformat()
    usage = api.client.get_usage(usagePlanId=plan_id, startDate=today, endDate=today)
    assert usage["items"][key_id] == [[2, 0]]
    virtual_server.advance(86_400)
    assert requests.get(api.url("/secret"), headers=headers).status_code == 200


def test_usage_plan_throttle(virtual_server: ServerProcess) -> None:
    api, value = keyed_api(virtual_server, throttle={"rateLimit": 1.0, "burstLimit": 2})
    headers = {"x-api-key": value}
    assert [requests.get(api.url("/secret"), headers=headers).status_code for _ in range(3)] == [200, 200, 429]
    throttled = requests.get(api.url("/secret"), headers=headers)
    assert throttled.text == '{"message":"Too Many Requests"}'
    assert throttled.headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    virtual_server.advance(1)
    assert requests.get(api.url("/secret"), headers=headers).status_code == 200


def test_stage_method_throttling(virtual_server: ServerProcess) -> None:
    api = Api(virtual_server)
    api.mock("/limited")
    api.mock("/free")
    api.deploy()
    api.client.update_stage(
        restApiId=api.id, stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/~1limited/GET/throttling/rateLimit", "value": "1"},
            {"op": "replace", "path": "/~1limited/GET/throttling/burstLimit", "value": "1"},
        ],
    )  # fmt: skip
    assert requests.get(api.url("/limited")).status_code == 200
    assert requests.get(api.url("/limited")).status_code == 429
    assert requests.get(api.url("/free")).status_code == 200
    virtual_server.advance(1)
    assert requests.get(api.url("/limited")).status_code == 200


# HTTP integrations ----------------------------------------------------------------------


class Backend(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []
    release = threading.Event()

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        Backend.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
        if self.path.startswith("/slow"):
            Backend.release.wait(30)
        status = 404 if "missing" in self.path else 200
        payload = json.dumps({"path": self.path, "method": self.command, "body": body}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Backend", "yes")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


@pytest.fixture
def backend() -> Iterator[str]:
    Backend.seen = []
    Backend.release = threading.Event()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    Backend.release.set()
    httpd.shutdown()
    httpd.server_close()


def test_http_proxy_forwards_everything(api: Api, backend: str) -> None:
    keys = api.method("/{proxy+}", "ANY", requestParameters={"method.request.path.proxy": True})
    api.client.put_integration(
        **keys, type="HTTP_PROXY", integrationHttpMethod="ANY", uri=f"{backend}/{{proxy}}",
        requestParameters={"integration.request.path.proxy": "method.request.path.proxy"},
    )  # fmt: skip
    api.deploy()
    answer = requests.put(api.url("/a/b?x=1&y=2"), data="payload", headers={"X-In": "1"})
    assert answer.status_code == 200 and answer.headers["X-Backend"] == "yes"
    assert answer.json() == {"path": "/a/b?x=1&y=2", "method": "PUT", "body": "payload"}
    assert Backend.seen[-1]["headers"]["X-In"] == "1"
    assert requests.get(api.url("/missing")).status_code == 404


def test_http_integration_maps_requests_and_selects_responses(api: Api, backend: str) -> None:
    keys = api.method("/things/{id}", "GET")
    api.client.put_integration(
        **keys, type="HTTP", integrationHttpMethod="POST", uri=f"{backend}/items/{{itemId}}",
        requestParameters={
            "integration.request.path.itemId": "method.request.path.id",
            "integration.request.querystring.source": "'gateway'",
            "integration.request.header.X-Stage": "context.stage",
        },
        requestTemplates={"application/json": '{"wanted": "$input.params(\'id\')"}'},
    )  # fmt: skip
    api.client.put_method_response(
        **keys, statusCode="200", responseParameters={"method.response.header.X-From": False}
    )
    api.client.put_method_response(**keys, statusCode="400")
    api.client.put_integration_response(
        **keys, statusCode="200",
        responseParameters={"method.response.header.X-From": "integration.response.header.X-Backend"},
        responseTemplates={"application/json": '{"got": $input.json(\'$.body\'), "path": "$input.path(\'$.path\')"}'},
    )  # fmt: skip
    api.client.put_integration_response(
        **keys,
        statusCode="400",
        selectionPattern="4\\d{2}",
        responseTemplates={"application/json": '{"error": "nope"}'},
    )
    api.deploy()
    answer = requests.get(api.url("/things/42"))
    assert answer.status_code == 200 and answer.headers["X-From"] == "yes"
    assert answer.json() == {"got": '{"wanted": "42"}', "path": "/items/42?source=gateway"}
    sent = Backend.seen[-1]
    assert sent["method"] == "POST" and sent["headers"]["X-Stage"] == "prod"
    assert requests.get(api.url("/things/missing")).json() == {"error": "nope"}


def test_integration_timeout_is_a_504(virtual_server: ServerProcess, backend: str) -> None:
    api = Api(virtual_server)
    keys = api.method("/slow", "GET")
    api.client.put_integration(
        **keys, type="HTTP_PROXY", integrationHttpMethod="GET", uri=f"{backend}/slow", timeoutInMillis=1000
    )
    api.deploy()
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(requests.get, api.url("/slow"), timeout=30)
        for _ in range(200):
            if Backend.seen:
                break
            threading.Event().wait(0.02)
        virtual_server.advance(1.5)
        answer = pending.result()
    assert (answer.status_code, answer.text) == (504, '{"message": "Endpoint request timed out"}')


def test_integration_timeout_on_the_real_clock_is_a_504_too(server: ServerProcess, backend: str) -> None:
    api = Api(server)
    keys = api.method("/slow", "GET")
    api.client.put_integration(
        **keys, type="HTTP_PROXY", integrationHttpMethod="GET", uri=f"{backend}/slow", timeoutInMillis=300
    )
    api.deploy()
    answer = requests.get(api.url("/slow"), timeout=30)
    assert (answer.status_code, answer.text) == (504, '{"message": "Endpoint request timed out"}')
    assert "x-amzn-RequestId" in answer.headers
