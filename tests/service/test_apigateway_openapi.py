"""ImportRestApi, PutRestApi (overwrite and merge) and GetExport with API Gateway's OpenAPI
extensions, and an imported API answering requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
import yaml
from botocore.exceptions import ClientError
from server import ServerProcess

Client = Callable[..., Any]
AUTHORIZER_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
)

PETSTORE_OAS3: dict[str, Any] = {
    "openapi": "3.0.1",
    "info": {"title": "Pets", "version": "2024-01-01", "description": "Pet store"},
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "x-amazon-apigateway-request-validators": {
        "all": {"validateRequestBody": True, "validateRequestParameters": True},
        "params-only": {"validateRequestBody": False, "validateRequestParameters": True},
    },
    "x-amazon-apigateway-request-validator": "params-only",
    "x-amazon-apigateway-gateway-responses": {
        "MISSING_AUTHENTICATION_TOKEN": {
            "statusCode": 404,
            "responseTemplates": {"application/json": '{"message": "not here"}'},
        }
    },
    "paths": {
        "/pets": {
            "get": {
                "parameters": [{"name": "limit", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "headers": {"X-Count": {"schema": {"type": "string"}}}}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {
                        "default": {
                            "statusCode": "200",
                            "responseParameters": {"method.response.header.X-Count": "'2'"},
                            "responseTemplates": {"application/json": '[{"name": "rex"}, {"name": "tom"}]'},
                        }
                    },
                },
            },
            "post": {
                "x-amazon-apigateway-request-validator": "all",
                "security": [{"api_key": []}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                "responses": {"201": {"description": "created"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "passthroughBehavior": "when_no_templates",
                    "requestTemplates": {"application/json": '{"statusCode": 201}'},
                    "responses": {"default": {"statusCode": "201", "responseTemplates": {"application/json": "{}"}}},
                },
            },
        },
        "/pets/{petId}": {
            "get": {
                "security": [{"tokenAuth": []}],
                "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy",
                    "httpMethod": "GET",
                    "uri": "https://example.com/pets/{petId}",
                    "requestParameters": {"integration.request.path.petId": "method.request.path.petId"},
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "owner": {"$ref": "#/components/schemas/Owner"}},
            },
            "Owner": {"type": "object", "properties": {"id": {"type": "string"}}},
        },
        "securitySchemes": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            "tokenAuth": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {
                    "type": "token",
                    "authorizerUri": AUTHORIZER_URI,
                    "authorizerResultTtlInSeconds": 60,
                },
            },
        },
    },
}

SWAGGER: dict[str, Any] = {
    "swagger": "2.0",
    "info": {"title": "Legacy", "version": "1"},
    "paths": {
        "/items": {
            "post": {
                "consumes": ["application/json"],
                "parameters": [
                    {"in": "body", "name": "Item", "required": True, "schema": {"$ref": "#/definitions/Item"}}
                ],
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Item"}}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200"}},
                },
            }
        }
    },
    "definitions": {"Item": {"type": "object", "properties": {"id": {"type": "integer"}}}},
}


@pytest.fixture
def apigw(client: Client) -> Any:
    return client("apigateway")


def resource(apigw: Any, api_id: str, path: str) -> dict[str, Any]:
    items = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    return next(item for item in items if item["path"] == path)


def test_import_openapi3_with_extensions(apigw: Any) -> None:
    api = apigw.import_rest_api(body=json.dumps(PETSTORE_OAS3).encode())
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (api["name"], api["version"], api["description"]) == ("Pets", "2024-01-01", "Pet store")
    assert api["binaryMediaTypes"] == ["image/png"]
    validators = {item["name"]: item for item in apigw.get_request_validators(restApiId=api["id"])["items"]}
    assert validators["all"]["validateRequestBody"] is True
    pets = resource(apigw, api["id"], "/pets")["resourceMethods"]
    assert pets["GET"]["requestParameters"] == {"method.request.querystring.limit": True}
    assert pets["GET"]["requestValidatorId"] == validators["params-only"]["id"]
    assert pets["POST"]["apiKeyRequired"] is True and pets["POST"]["requestModels"] == {"application/json": "Pet"}
    assert pets["POST"]["requestValidatorId"] == validators["all"]["id"]
    assert pets["POST"]["methodIntegration"]["passthroughBehavior"] == "WHEN_NO_TEMPLATES"
    assert pets["GET"]["methodResponses"]["200"]["responseParameters"] == {"method.response.header.X-Count": False}
    pet = resource(apigw, api["id"], "/pets/{petId}")["resourceMethods"]["GET"]
    authorizer = apigw.get_authorizers(restApiId=api["id"])["items"][0]
    assert pet["authorizationType"] == "CUSTOM" and pet["authorizerId"] == authorizer["id"]
    assert authorizer["identitySource"] == "method.request.header.Authorization"
    assert authorizer["authorizerResultTtlInSeconds"] == 60 and authorizer["type"] == "TOKEN"
    assert pet["methodIntegration"]["type"] == "HTTP_PROXY"
    model = json.loads(apigw.get_model(restApiId=api["id"], modelName="Pet")["schema"])
    assert model["properties"]["owner"]["$ref"] == f"https://apigateway.amazonaws.com/restapis/{api['id']}/models/Owner"
    response = apigw.get_gateway_response(restApiId=api["id"], responseType="MISSING_AUTHENTICATION_TOKEN")
    assert response["statusCode"] == "404" and response["defaultResponse"] is False


def test_imported_api_serves_requests(server: ServerProcess, apigw: Any) -> None:
    api = apigw.import_rest_api(body=yaml.safe_dump(PETSTORE_OAS3).encode())
    apigw.create_deployment(restApiId=api["id"], stageName="v1")
    base = f"{server.endpoint}/restapis/{api['id']}/v1/_user_request_"
    listed = requests.get(f"{base}/pets?limit=2")
    assert listed.json() == [{"name": "rex"}, {"name": "tom"}] and listed.headers["X-Count"] == "2"
    assert requests.get(f"{base}/pets").json() == {"message": "Missing required request parameters: [limit]"}
    assert requests.post(f"{base}/pets", json={"name": "rex"}).status_code == 403
    missing = requests.get(f"{base}/nowhere")
    assert (missing.status_code, missing.json()) == (404, {"message": "not here"})


def test_import_swagger2(apigw: Any) -> None:
    api = apigw.import_rest_api(body=json.dumps(SWAGGER).encode())
    method = resource(apigw, api["id"], "/items")["resourceMethods"]["POST"]
    assert method["requestModels"] == {"application/json": "Item"}
    assert method["methodResponses"]["200"]["responseModels"] == {"application/json": "Item"}


def test_import_errors(apigw: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        apigw.import_rest_api(body=b"{not: [valid")
    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as excinfo:
        apigw.import_rest_api(body=json.dumps({"openapi": "3.0.0", "paths": {}}).encode())
    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    broken = dict(SWAGGER, paths={"/x": {"get": {"x-amazon-apigateway-integration": {"type": "carrier-pigeon"}}}})
    with pytest.raises(ClientError) as excinfo:
        apigw.import_rest_api(body=json.dumps(broken).encode())
    assert "carrier-pigeon" in excinfo.value.response["Error"]["Message"]


def test_put_rest_api_merge_and_overwrite(apigw: Any) -> None:
    api = apigw.import_rest_api(body=json.dumps(SWAGGER).encode())
    extra = {
        "swagger": "2.0",
        "info": {"title": "Legacy", "version": "2"},
        "paths": {
            "/other": {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "responses": {"default": {"statusCode": "200"}},
                    }
                }
            }
        },
    }
    merged = apigw.put_rest_api(restApiId=api["id"], mode="merge", body=json.dumps(extra).encode())
    assert merged["version"] == "2"
    paths = {item["path"] for item in apigw.get_resources(restApiId=api["id"])["items"]}
    assert paths == {"/", "/items", "/other"}
    apigw.put_rest_api(restApiId=api["id"], mode="overwrite", body=json.dumps(extra).encode())
    paths = {item["path"] for item in apigw.get_resources(restApiId=api["id"])["items"]}
    assert paths == {"/", "/other"}
    assert {model["name"] for model in apigw.get_models(restApiId=api["id"])["items"]} == {"Empty", "Error"}
    with pytest.raises(ClientError) as excinfo:
        apigw.put_rest_api(restApiId=api["id"], mode="append", body=json.dumps(extra).encode())
    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"


def test_export_oas30_and_swagger_with_extensions(apigw: Any) -> None:
    api = apigw.import_rest_api(body=json.dumps(PETSTORE_OAS3).encode())
    apigw.create_deployment(restApiId=api["id"], stageName="v1")
    plain = apigw.get_export(restApiId=api["id"], stageName="v1", exportType="oas30")
    assert plain["contentType"] == "application/json" and "attachment" in plain["contentDisposition"]
    document = json.loads(plain["body"].read())
    assert document["openapi"] == "3.0.1" and document["info"]["title"] == "Pets"
    assert document["servers"][0]["variables"]["basePath"]["default"] == "v1"
    assert "x-amazon-apigateway-integration" not in document["paths"]["/pets"]["get"]
    assert document["components"]["schemas"]["Pet"]["properties"]["owner"]["$ref"] == "#/components/schemas/Owner"
    full = json.loads(
        apigw.get_export(
            restApiId=api["id"], stageName="v1", exportType="oas30", parameters={"extensions": "apigateway"}
        )["body"].read()
    )
    integration = full["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]
    assert integration["type"] == "mock" and integration["responses"]["default"]["statusCode"] == "200"
    assert full["paths"]["/pets"]["post"]["x-amazon-apigateway-request-validator"] == "all"
    assert full["x-amazon-apigateway-request-validators"]["all"]["validateRequestBody"] is True
    assert "tokenAuth" in full["components"]["securitySchemes"]
    assert full["paths"]["/pets"]["post"]["security"] == [{"api_key": []}]
    assert full["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    reimported = apigw.import_rest_api(body=json.dumps(full).encode())
    again = resource(apigw, reimported["id"], "/pets")["resourceMethods"]["GET"]["methodIntegration"]
    assert again["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": '[{"name": "rex"}, {"name": "tom"}]'
    }
    swagger = apigw.get_export(
        restApiId=api["id"], stageName="v1", exportType="swagger", parameters={"extensions": "integrations"},
        accepts="application/yaml",
    )  # fmt: skip
    assert swagger["contentType"] == "application/yaml"
    document = yaml.safe_load(swagger["body"].read())
    assert document["swagger"] == "2.0" and document["basePath"] == "/v1"
    assert document["definitions"]["Pet"]["properties"]["owner"]["$ref"] == "#/definitions/Owner"
    with pytest.raises(ClientError) as excinfo:
        apigw.get_export(restApiId=api["id"], stageName="nope", exportType="oas30")
    assert excinfo.value.response["Error"]["Code"] == "NotFoundException"
