"""The API Gateway control plane through boto3: REST APIs, resources, methods, integrations,
responses, models, validators, authorizers, gateway responses, deployments, stages, API keys,
usage plans, tags, and AWS's errors for each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Client = Callable[..., Any]
LAMBDA_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
)


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def apigw(client: Client) -> Any:
    return client("apigateway")


def new_api(apigw: Any, name: str = "api") -> tuple[str, str]:
    api = apigw.create_rest_api(name=name)
    return api["id"], api["rootResourceId"]


def mock_method(apigw: Any, api_id: str, resource_id: str, method: str = "GET") -> None:
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method, authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=method,
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=method, statusCode="200")
    apigw.put_integration_response(
        restApiId=api_id, resourceId=resource_id, httpMethod=method, statusCode="200",
        responseTemplates={"application/json": '{"ok": true}'},
    )  # fmt: skip


# REST APIs ------------------------------------------------------------------------------


def test_create_get_list_update_delete_rest_api(apigw: Any) -> None:
    created = apigw.create_rest_api(
        name="orders", description="Orders", version="v1", binaryMediaTypes=["image/png"], tags={"team": "a"}
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(created["id"]) == 10 and created["id"].isalnum() and created["id"].islower()
    assert created["apiKeySource"] == "HEADER"
    assert created["endpointConfiguration"] == {"types": ["EDGE"], "ipAddressType": "ipv4"}
    assert created["disableExecuteApiEndpoint"] is False
    got = apigw.get_rest_api(restApiId=created["id"])
    assert got["name"] == "orders" and got["tags"] == {"team": "a"} and got["binaryMediaTypes"] == ["image/png"]
    apigw.create_rest_api(name="second")
    assert [api["name"] for api in apigw.get_rest_apis()["items"]] == ["orders", "second"]
    first_page = apigw.get_rest_apis(limit=1)
    assert len(first_page["items"]) == 1 and "position" in first_page
    assert apigw.get_rest_apis(limit=1, position=first_page["position"])["items"][0]["name"] == "second"
    updated = apigw.update_rest_api(
        restApiId=created["id"],
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/apiKeySource", "value": "AUTHORIZER"},
            {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"},
            {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
            {"op": "replace", "path": "/minimumCompressionSize", "value": "1024"},
        ],
    )
    assert updated["name"] == "renamed" and updated["apiKeySource"] == "AUTHORIZER"
    assert updated["binaryMediaTypes"] == ["image/jpeg"] and updated["minimumCompressionSize"] == 1024
    assert apigw.delete_rest_api(restApiId=created["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as excinfo:
        apigw.get_rest_api(restApiId=created["id"])
    assert error_of(excinfo) == (
        "NotFoundException",
        f"Invalid API identifier specified 000000000000:{created['id']}",
        404,
    )


def test_rest_api_validation_errors(apigw: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        apigw.create_rest_api(name="x", description="")
    assert error_of(excinfo) == ("BadRequestException", "Description cannot be an empty string", 400)
    with pytest.raises(ClientError) as excinfo:
        apigw.create_rest_api(name="x", minimumCompressionSize=10485761)
    assert error_of(excinfo)[1] == "Invalid minimum compression size, must be between 0 and 10485760"
    api_id, _ = new_api(apigw)
    with pytest.raises(ClientError) as excinfo:
        apigw.update_rest_api(restApiId=api_id, patchOperations=[{"op": "replace", "path": "/nope", "value": "1"}])
    assert error_of(excinfo) == ("BadRequestException", "Invalid patch path /nope", 400)
    with pytest.raises(ClientError) as excinfo:
        apigw.update_rest_api(restApiId=api_id, patchOperations=[{"op": "add", "path": "/name", "value": "x"}])
    assert (
        error_of(excinfo)[1] == "Invalid patch path  '/name' specified for op 'add'. Please choose supported operations"
    )


def test_clone_from_copies_resources_and_methods(apigw: Any) -> None:
    api_id, root = new_api(apigw)
    child = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    mock_method(apigw, api_id, child)
    clone = apigw.create_rest_api(name="clone", cloneFrom=api_id)
    resources = apigw.get_resources(restApiId=clone["id"], embed=["methods"])["items"]
    pets = next(item for item in resources if item["path"] == "/pets")
    assert pets["id"] != child and pets["resourceMethods"]["GET"]["methodIntegration"]["type"] == "MOCK"


# Resources ------------------------------------------------------------------------------


def test_resources_tree_paths_and_embed(apigw: Any) -> None:
    api_id, root = new_api(apigw)
    orders = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="orders")
    assert orders["path"] == "/orders" and orders["parentId"] == root and len(orders["id"]) == 6
    order = apigw.create_resource(restApiId=api_id, parentId=orders["id"], pathPart="{id}")
    proxy = apigw.create_resource(restApiId=api_id, parentId=order["id"], pathPart="{proxy+}")
    assert proxy["path"] == "/orders/{id}/{proxy+}"
    mock_method(apigw, api_id, order["id"])
    plain = apigw.get_resources(restApiId=api_id)["items"]
    assert [item["path"] for item in plain] == ["/", "/orders", "/orders/{id}", "/orders/{id}/{proxy+}"]
    assert next(item for item in plain if item["id"] == order["id"])["resourceMethods"] == {"GET": {}}
    embedded = apigw.get_resource(restApiId=api_id, resourceId=order["id"], embed=["methods"])
    assert embedded["resourceMethods"]["GET"]["methodIntegration"]["type"] == "MOCK"
    moved = apigw.update_resource(
        restApiId=api_id,
        resourceId=order["id"],
        patchOperations=[{"op": "replace", "path": "/pathPart", "value": "{orderId}"}],
    )
    assert moved["path"] == "/orders/{orderId}"
    assert apigw.get_resource(restApiId=api_id, resourceId=proxy["id"])["path"] == "/orders/{orderId}/{proxy+}"
    apigw.delete_resource(restApiId=api_id, resourceId=orders["id"])
    assert [item["path"] for item in apigw.get_resources(restApiId=api_id)["items"]] == ["/"]


def test_resource_errors(apigw: Any) -> None:
    api_id, root = new_api(apigw)
    apigw.create_resource(restApiId=api_id, parentId=root, pathPart="orders")
    with pytest.raises(ClientError) as excinfo:
        apigw.create_resource(restApiId=api_id, parentId=root, pathPart="orders")
    assert error_of(excinfo) == (
        "ConflictException",
        "Another resource with the same parent already has this name: orders",
        409,
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.create_resource(restApiId=api_id, parentId="nothere", pathPart="x")
    assert error_of(excinfo) == ("NotFoundException", "Invalid Resource identifier specified", 404)
    with pytest.raises(ClientError) as excinfo:
        apigw.create_resource(restApiId=api_id, parentId=root, pathPart="bad path!")
    assert error_of(excinfo)[0] == "BadRequestException"
    apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{id}")
    with pytest.raises(ClientError) as excinfo:
        apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{other}")
    assert "only one is allowed" in error_of(excinfo)[1]
    files = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="files")["id"]
    greedy = apigw.create_resource(restApiId=api_id, parentId=files, pathPart="{proxy+}")["id"]
    with pytest.raises(ClientError) as excinfo:
        apigw.create_resource(restApiId=api_id, parentId=greedy, pathPart="child")
    assert error_of(excinfo)[0] == "BadRequestException"
    with pytest.raises(ClientError) as excinfo:
        apigw.create_resource(restApiId="missingapi", parentId=root, pathPart="x")
    assert error_of(excinfo)[1] == "Invalid API identifier specified 000000000000:missingapi"


# Methods, integrations, responses ------------------------------------------------------


def test_method_integration_and_responses(apigw: Any) -> None:
    api_id, root = new_api(apigw)
    validator = apigw.create_request_validator(restApiId=api_id, name="all", validateRequestBody=True)["id"]
    method = apigw.put_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        authorizationType="NONE",
        apiKeyRequired=True,
        requestParameters={"method.request.querystring.page": False, "method.request.header.X-Id": True},
        requestModels={"application/json": "Empty"},
        requestValidatorId=validator,
        operationName="CreateThing",
    )
    assert method["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert method["apiKeyRequired"] is True and method["requestValidatorId"] == validator
    apigw.put_method_response(
        restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200",
        responseParameters={"method.response.header.X-Out": False}, responseModels={"application/json": "Empty"},
    )  # fmt: skip
    integration = apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="POST", type="HTTP", integrationHttpMethod="POST",
        uri="https://example.com/things",
        requestParameters={"integration.request.header.X-In": "method.request.header.X-Id"},
    )  # fmt: skip
    assert integration["passthroughBehavior"] == "WHEN_NO_MATCH"
    assert integration["timeoutInMillis"] == 29000 and integration["connectionType"] == "INTERNET"
    assert integration["cacheNamespace"] == root
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200", selectionPattern="2\\d{2}",
        responseTemplates={"application/json": "$input.body"},
    )  # fmt: skip
    got = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert got["methodResponses"]["200"]["responseParameters"] == {"method.response.header.X-Out": False}
    assert got["methodIntegration"]["integrationResponses"]["200"]["selectionPattern"] == "2\\d{2}"
    updated = apigw.update_method(
        restApiId=api_id, resourceId=root, httpMethod="POST",
        patchOperations=[
            {"op": "replace", "path": "/apiKeyRequired", "value": "false"},
            {"op": "add", "path": "/requestParameters/method.request.querystring.size", "value": "true"},
            {"op": "remove", "path": "/requestParameters/method.request.querystring.page"},
        ],
    )  # fmt: skip
    assert updated["apiKeyRequired"] is False
    assert updated["requestParameters"] == {"method.request.header.X-Id": True, "method.request.querystring.size": True}
    updated_integration = apigw.update_integration(
        restApiId=api_id, resourceId=root, httpMethod="POST",
        patchOperations=[
            {"op": "replace", "path": "/timeoutInMillis", "value": "5000"},
            {"op": "add", "path": "/requestTemplates/application~1xml", "value": "<a/>"},
        ],
    )  # fmt: skip
    assert updated_integration["timeoutInMillis"] == 5000
    assert updated_integration["requestTemplates"] == {"application/xml": "<a/>"}
    apigw.update_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200",
        patchOperations=[{"op": "remove", "path": "/responseTemplates/application~1json"}],
    )  # fmt: skip
    assert (
        "responseTemplates"
        not in apigw.get_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200")
        or not apigw.get_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200")[
            "responseTemplates"
        ]
    )
    apigw.delete_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200")
    apigw.delete_integration(restApiId=api_id, resourceId=root, httpMethod="POST")
    apigw.delete_method_response(restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200")
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    with pytest.raises(ClientError) as excinfo:
        apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert error_of(excinfo) == ("NotFoundException", "Invalid Method identifier specified", 404)


def test_method_and_integration_errors(apigw: Any) -> None:
    api_id, root = new_api(apigw)
    with pytest.raises(ClientError) as excinfo:
        apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="FETCH", authorizationType="NONE")
    assert (
        error_of(excinfo)[1]
        == "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="CUSTOM")
    assert error_of(excinfo)[1].startswith("Invalid authorizer ID specified.")
    with pytest.raises(ClientError) as excinfo:
        apigw.put_method(
            restApiId=api_id,
            resourceId=root,
            httpMethod="GET",
            authorizationType="NONE",
            requestModels={"application/json": "Nope"},
        )
    assert error_of(excinfo)[1] == "Invalid model identifier specified: Nope"
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    with pytest.raises(ClientError) as excinfo:
        apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    assert error_of(excinfo) == ("ConflictException", "Method already exists for this resource", 409)
    with pytest.raises(ClientError) as excinfo:
        apigw.get_integration(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert error_of(excinfo) == ("NotFoundException", "Invalid Integration identifier specified", 404)
    with pytest.raises(ClientError) as excinfo:
        apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="HTTP", uri="https://x.test")
    assert error_of(excinfo)[1] == "Enumeration value for HttpMethod must be non-empty"
    with pytest.raises(ClientError) as excinfo:
        apigw.put_integration(
            restApiId=api_id, resourceId=root, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
            uri="arn:aws:apigateway:us-east-1:sqs:path/000000000000/q",
        )  # fmt: skip
    assert "AWS_PROXY" in error_of(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK", timeoutInMillis=30000)
    assert error_of(excinfo)[1] == "Timeout should be between 50 ms and 29000 ms"
    with pytest.raises(ClientError) as excinfo:
        apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="NOPE")
    assert error_of(excinfo)[0] == "BadRequestException"
    assert "putIntegrationInput.type" in error_of(excinfo)[1]
    mock_method(apigw, api_id, root, "POST")
    with pytest.raises(ClientError) as excinfo:
        apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="201")
    assert error_of(excinfo) == ("NotFoundException", "Invalid Response status code specified", 404)


# Models, validators, authorizers, gateway responses ------------------------------------


def test_models(apigw: Any) -> None:
    api_id, _ = new_api(apigw)
    assert sorted(model["name"] for model in apigw.get_models(restApiId=api_id)["items"]) == ["Empty", "Error"]
    schema = '{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}'
    created = apigw.create_model(restApiId=api_id, name="Order", schema=schema, contentType="application/json")
    assert created["name"] == "Order" and created["schema"] == schema
    template = apigw.get_model_template(restApiId=api_id, modelName="Order")["value"]
    assert "$inputRoot.id" in template
    with pytest.raises(ClientError) as excinfo:
        apigw.create_model(restApiId=api_id, name="Order", schema=schema, contentType="application/json")
    assert error_of(excinfo) == ("ConflictException", "Model name already exists for this REST API", 409)
    with pytest.raises(ClientError) as excinfo:
        apigw.create_model(restApiId=api_id, name="Bad", schema="{nope", contentType="application/json")
    assert error_of(excinfo)[0] == "BadRequestException"
    apigw.update_model(
        restApiId=api_id, modelName="Order", patchOperations=[{"op": "replace", "path": "/description", "value": "d"}]
    )
    assert apigw.get_model(restApiId=api_id, modelName="Order")["description"] == "d"
    apigw.delete_model(restApiId=api_id, modelName="Order")
    with pytest.raises(ClientError) as excinfo:
        apigw.get_model(restApiId=api_id, modelName="Order")
    assert error_of(excinfo) == ("NotFoundException", "Invalid model name specified: Order", 404)


def test_request_validators(apigw: Any) -> None:
    api_id, _ = new_api(apigw)
    created = apigw.create_request_validator(restApiId=api_id, name="body", validateRequestBody=True)
    assert created["validateRequestParameters"] is False
    apigw.update_request_validator(
        restApiId=api_id, requestValidatorId=created["id"],
        patchOperations=[{"op": "replace", "path": "/validateRequestParameters", "value": "true"}],
    )  # fmt: skip
    assert apigw.get_request_validators(restApiId=api_id)["items"][0]["validateRequestParameters"] is True
    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=created["id"])
    with pytest.raises(ClientError) as excinfo:
        apigw.get_request_validator(restApiId=api_id, requestValidatorId=created["id"])
    assert error_of(excinfo) == ("NotFoundException", "Invalid Request Validator identifier specified", 404)


def test_authorizers(apigw: Any) -> None:
    api_id, root = new_api(apigw)
    created = apigw.create_authorizer(
        restApiId=api_id, name="tok", type="TOKEN", authorizerUri=LAMBDA_URI,
        identitySource="method.request.header.Authorization",
    )  # fmt: skip
    assert created["authorizerResultTtlInSeconds"] == 300 and len(created["id"]) == 6
    apigw.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="CUSTOM", authorizerId=created["id"]
    )
    updated = apigw.update_authorizer(
        restApiId=api_id, authorizerId=created["id"],
        patchOperations=[{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"}],
    )  # fmt: skip
    assert updated["authorizerResultTtlInSeconds"] == 0
    assert [item["name"] for item in apigw.get_authorizers(restApiId=api_id)["items"]] == ["tok"]
    with pytest.raises(ClientError) as excinfo:
        apigw.create_authorizer(restApiId=api_id, name="bad", type="TOKEN", authorizerUri=LAMBDA_URI)
    assert error_of(excinfo)[0] == "BadRequestException"
    with pytest.raises(ClientError) as excinfo:
        apigw.get_authorizer(restApiId=api_id, authorizerId="zzzzzz")
    assert error_of(excinfo) == ("NotFoundException", "Invalid Authorizer identifier specified", 404)


def test_gateway_responses_defaults_and_overrides(apigw: Any) -> None:
    api_id, _ = new_api(apigw)
    default = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert default["statusCode"] == "403" and default["defaultResponse"] is True
    assert default["responseTemplates"] == {"application/json": '{"message":$context.error.messageString}'}
    assert "statusCode" not in apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert len(apigw.get_gateway_responses(restApiId=api_id, limit=500)["items"]) == 21
    put = apigw.put_gateway_response(
        restApiId=api_id, responseType="DEFAULT_4XX", statusCode="418",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={"application/json": '{"error": $context.error.messageString}'},
    )  # fmt: skip
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201 and put["defaultResponse"] is False
    inherited = apigw.get_gateway_response(restApiId=api_id, responseType="INVALID_API_KEY")
    assert inherited["statusCode"] == "403"
    assert inherited["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    apigw.delete_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")["defaultResponse"] is True
    with pytest.raises(ClientError) as excinfo:
        apigw.get_gateway_response(restApiId=api_id, responseType="NOPE")
    assert error_of(excinfo)[0] == "BadRequestException"


# Deployments and stages ----------------------------------------------------------------


def test_deployments_and_stages(apigw: Any) -> None:
    api_id, root = new_api(apigw)
    with pytest.raises(ClientError) as excinfo:
        apigw.create_deployment(restApiId=api_id)
    assert error_of(excinfo) == ("BadRequestException", "The REST API doesn't contain any methods", 400)
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    with pytest.raises(ClientError) as excinfo:
        apigw.create_deployment(restApiId=api_id)
    assert error_of(excinfo)[1] == "No integration defined for method"
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    first = apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"v": "1"}, description="one")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201 and "apiSummary" not in first
    summary = apigw.get_deployment(restApiId=api_id, deploymentId=first["id"], embed=["apisummary"])["apiSummary"]
    assert summary == {"/": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == first["id"] and stage["variables"] == {"v": "1"}
    assert stage["cacheClusterStatus"] == "NOT_AVAILABLE" and stage["tracingEnabled"] is False
    second = apigw.create_deployment(restApiId=api_id)
    prod = apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=second["id"], variables={"x": "y"})
    assert prod["ResponseMetadata"]["HTTPStatusCode"] == 201
    with pytest.raises(ClientError) as excinfo:
        apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=second["id"])
    assert error_of(excinfo) == ("ConflictException", "Stage already exists", 409)
    with pytest.raises(ClientError) as excinfo:
        apigw.create_stage(restApiId=api_id, stageName="qa", deploymentId="nope12")
    assert error_of(excinfo) == ("NotFoundException", "Invalid Deployment identifier specified", 404)
    updated = apigw.update_stage(
        restApiId=api_id, stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"},
            {"op": "replace", "path": "/~1/GET/throttling/burstLimit", "value": "2"},
            {"op": "replace", "path": "/variables/x", "value": "z"},
            {"op": "replace", "path": "/description", "value": "production"},
        ],
    )  # fmt: skip
    assert updated["methodSettings"]["*/*"]["throttlingRateLimit"] == 5.0
    assert updated["methodSettings"]["*/*"]["throttlingBurstLimit"] == 5000
    assert updated["methodSettings"]["~1/GET"]["throttlingBurstLimit"] == 2
    assert updated["variables"] == {"x": "z"} and updated["description"] == "production"
    assert sorted(item["stageName"] for item in apigw.get_stages(restApiId=api_id)["item"]) == ["dev", "prod"]
    assert [item["stageName"] for item in apigw.get_stages(restApiId=api_id, deploymentId=first["id"])["item"]] == [
        "dev"
    ]
    with pytest.raises(ClientError) as excinfo:
        apigw.delete_deployment(restApiId=api_id, deploymentId=first["id"])
    assert error_of(excinfo)[1] == "Active stages pointing to this deployment must be moved or deleted"
    apigw.delete_stage(restApiId=api_id, stageName="dev")
    apigw.delete_deployment(restApiId=api_id, deploymentId=first["id"])
    assert [item["id"] for item in apigw.get_deployments(restApiId=api_id)["items"]] == [second["id"]]
    with pytest.raises(ClientError) as excinfo:
        apigw.get_stage(restApiId=api_id, stageName="dev")
    assert error_of(excinfo) == ("NotFoundException", "Invalid Stage identifier specified", 404)


# API keys and usage plans --------------------------------------------------------------


def deployed_api(apigw: Any) -> str:
    api_id, root = new_api(apigw)
    mock_method(apigw, api_id, root)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def test_api_keys(apigw: Any) -> None:
    api_id = deployed_api(apigw)
    key = apigw.create_api_key(name="partner", enabled=True, stageKeys=[{"restApiId": api_id, "stageName": "prod"}])
    assert len(key["value"]) == 40 and key["enabled"] is True and key["stageKeys"] == [f"{api_id}/prod"]
    assert "value" not in apigw.get_api_key(apiKey=key["id"])
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == key["value"]
    disabled = apigw.create_api_key(name="other", value="x" * 25)
    assert disabled["enabled"] is False and disabled["value"] == "x" * 25
    assert [item["name"] for item in apigw.get_api_keys(nameQuery="part")["items"]] == ["partner"]
    assert all("value" in item for item in apigw.get_api_keys(includeValues=True)["items"])
    apigw.update_api_key(
        apiKey=disabled["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "true"}]
    )
    assert apigw.get_api_key(apiKey=disabled["id"])["enabled"] is True
    with pytest.raises(ClientError) as excinfo:
        apigw.create_api_key(name="short", value="tooshort")
    assert error_of(excinfo) == ("BadRequestException", "API Key value should be at least 20 characters", 400)
    apigw.delete_api_key(apiKey=disabled["id"])
    with pytest.raises(ClientError) as excinfo:
        apigw.get_api_key(apiKey=disabled["id"])
    assert error_of(excinfo) == ("NotFoundException", "Invalid API Key identifier specified", 404)


def test_usage_plans_and_keys(apigw: Any) -> None:
    api_id = deployed_api(apigw)
    plan = apigw.create_usage_plan(
        name="basic",
        apiStages=[{"apiId": api_id, "stage": "prod"}],
        throttle={"rateLimit": 10.0, "burstLimit": 20},
        quota={"limit": 1000, "period": "MONTH"},
    )
    assert plan["quota"] == {"limit": 1000, "offset": 0, "period": "MONTH"}
    key = apigw.create_api_key(name="k", enabled=True)
    plan_key = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert plan_key == {**plan_key, "id": key["id"], "type": "API_KEY", "value": key["value"], "name": "k"}
    assert [item["id"] for item in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]
    assert [item["id"] for item in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    with pytest.raises(ClientError) as excinfo:
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert error_of(excinfo)[0] == "ConflictException"
    updated = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[
            {"op": "replace", "path": "/throttle/rateLimit", "value": "2"},
            {"op": "replace", "path": "/quota/limit", "value": "5"},
            {"op": "replace", "path": "/quota/period", "value": "DAY"},
        ],
    )
    assert updated["throttle"] == {"rateLimit": 2.0, "burstLimit": 20}
    assert updated["quota"] == {"limit": 5, "offset": 0, "period": "DAY"}
    usage = apigw.get_usage(usagePlanId=plan["id"], startDate="2024-01-01", endDate="2024-01-02")
    assert usage["items"] == {key["id"]: [[0, 5], [0, 5]]}
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == []
    with pytest.raises(ClientError) as excinfo:
        apigw.create_usage_plan(name="bad", apiStages=[{"apiId": api_id, "stage": "nope"}])
    assert error_of(excinfo)[0] == "BadRequestException"
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    with pytest.raises(ClientError) as excinfo:
        apigw.get_usage_plan(usagePlanId=plan["id"])
    assert error_of(excinfo)[0] == "NotFoundException"


def test_tags(apigw: Any) -> None:
    api_id = deployed_api(apigw)
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/prod"
    apigw.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    apigw.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"b": "2"}
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["tags"] == {"b": "2"}
    api_arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}"
    apigw.tag_resource(resourceArn=api_arn, tags={"team": "x"})
    assert apigw.get_rest_api(restApiId=api_id)["tags"] == {"team": "x"}


def test_account(apigw: Any) -> None:
    account = apigw.get_account()
    assert account["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
    role = "arn:aws:iam::000000000000:role/apigw-logs"
    apigw.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    assert apigw.get_account()["cloudwatchRoleArn"] == role


def test_state_survives_a_restart(tmp_path: Any) -> None:
    from server import ServerProcess

    server = ServerProcess(store="sqlite", data_dir=str(tmp_path)).start()
    try:
        apigw = server.client("apigateway")
        api_id = deployed_api(apigw)
        server.stop()
        server.start()
        apigw = server.client("apigateway")
        assert apigw.get_stage(restApiId=api_id, stageName="prod")["stageName"] == "prod"
        import requests

        answer = requests.get(f"{server.endpoint}/restapis/{api_id}/prod/_user_request_/")
        assert (answer.status_code, answer.json()) == (200, {"ok": True})
    finally:
        server.stop()
