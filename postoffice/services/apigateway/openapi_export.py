"""GetExport: a deployed stage as OpenAPI 3.0.1 or Swagger 2.0, optionally with API Gateway's
extensions (`integrations`, `authorizers`, `apigateway`: all of them, `validators`)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from typing import Any

from postoffice.services.apigateway.state import Doc

_MODEL_URI = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/(.+)$")
_LOWER = {"GET": "get", "PUT": "put", "POST": "post", "DELETE": "delete", "PATCH": "patch", "OPTIONS": "options",
          "HEAD": "head", "ANY": "x-amazon-apigateway-any-method"}  # fmt: skip


def _refs(node: Any, oas3: bool) -> Any:
    if isinstance(node, list):
        return [_refs(item, oas3) for item in node]
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            match = _MODEL_URI.match(value) if key == "$ref" and isinstance(value, str) else None
            if match:
                out[key] = ("#/components/schemas/" if oas3 else "#/definitions/") + match.group(1)
            else:
                out[key] = _refs(value, oas3)
        return out
    return node


def _model_ref(name: str, oas3: bool) -> dict[str, str]:
    return {"$ref": ("#/components/schemas/" if oas3 else "#/definitions/") + name}


def export(api: Doc, snapshot: Doc, stage: Doc, region: str, oas3: bool, extensions: set[str]) -> Doc:
    everything = "apigateway" in extensions
    with_integrations = everything or "integrations" in extensions
    with_authorizers = everything or "authorizers" in extensions
    with_validators = everything or "validators" in extensions
    created = dt.datetime.fromtimestamp(float(api.get("createdDate", 0)), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    info: Doc = {"title": api["name"], "version": api.get("version") or created}
    if api.get("description"):
        info["description"] = api["description"]
    host = f"{api['id']}.execute-api.{region}.amazonaws.com"
    document: Doc
    if oas3:
        document = {
            "openapi": "3.0.1",
            "info": info,
            "servers": [
                {"url": f"https://{host}/{{basePath}}", "variables": {"basePath": {"default": stage["stageName"]}}}
            ],
            "paths": {},
            "components": {},
        }
    else:
        document = {
            "swagger": "2.0",
            "info": info,
            "host": host,
            "basePath": f"/{stage['stageName']}",
            "schemes": ["https"],
            "paths": {},
        }
    validators = snapshot.get("validators") or {}
    authorizers = snapshot.get("authorizers") or {}
    schemes: Doc = {}
    uses_api_key = False
    for resource in sorted(snapshot.get("resources", {}).values(), key=lambda item: item["path"]):
        methods = resource.get("resourceMethods") or {}
        if not methods:
            continue
        item: Doc = {}
        for http_method, method in methods.items():
            operation: Doc = {}
            if method.get("operationName"):
                operation["operationId"] = method["operationName"]
            parameters = []
            for name in method.get("requestParameters") or {}:
                location, _, param = name.removeprefix("method.request.").partition(".")
                where = {"path": "path", "querystring": "query", "header": "header"}.get(location)
                if where is None:
                    continue
                parameter: Doc = {"name": param, "in": where, "required": bool(method["requestParameters"][name])}
                if oas3:
                    parameter["schema"] = {"type": "string"}
                else:
                    parameter["type"] = "string"
                parameters.append(parameter)
            models = method.get("requestModels") or {}
            if models and not oas3:
                name = next(iter(models.values()))
                parameters.append({"in": "body", "name": name, "required": True, "schema": _model_ref(name, False)})
            if parameters:
                operation["parameters"] = parameters
            if models and oas3:
                operation["requestBody"] = {
                    "content": {
                        content_type: {"schema": _model_ref(name, True)} for content_type, name in models.items()
                    },
                    "required": True,
                }
            responses: Doc = {}
            for status, response in (method.get("methodResponses") or {}).items():
                entry: Doc = {"description": f"{status} response"}
                headers = {
                    name.removeprefix("method.response.header."): {"schema": {"type": "string"}}
                    if oas3
                    else {"type": "string"}
                    for name in response.get("responseParameters") or {}
                }
                if headers:
                    entry["headers"] = headers
                response_models = response.get("responseModels") or {}
                if response_models:
                    if oas3:
                        entry["content"] = {
                            ct: {"schema": _model_ref(name, True)} for ct, name in response_models.items()
                        }
                    else:
                        entry["schema"] = _model_ref(next(iter(response_models.values())), False)
                responses[status] = entry
            operation["responses"] = responses
            security = []
            if method.get("apiKeyRequired"):
                security.append({"api_key": []})
                uses_api_key = True
            kind = method.get("authorizationType")
            if kind == "AWS_IAM":
                security.append({"sigv4": []})
                schemes["sigv4"] = {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "awsSigv4",
                }
            elif kind in ("CUSTOM", "COGNITO_USER_POOLS") and method.get("authorizerId") in authorizers:
                authorizer = authorizers[method["authorizerId"]]
                security.append({authorizer["name"]: list(method.get("authorizationScopes") or [])})
            if security:
                operation["security"] = security
            if with_validators and method.get("requestValidatorId") in validators:
                operation["x-amazon-apigateway-request-validator"] = validators[method["requestValidatorId"]]["name"]
            integration = method.get("methodIntegration")
            if with_integrations and integration:
                operation["x-amazon-apigateway-integration"] = _integration(integration)
            item[_LOWER[http_method]] = operation
        document["paths"][resource["path"]] = item
    if with_authorizers or everything:
        for authorizer in authorizers.values():
            scheme: Doc = {"type": "apiKey", "name": _header_name(authorizer), "in": "header"}
            scheme["x-amazon-apigateway-authtype"] = authorizer.get("authType", "custom")
            settings = {
                key: authorizer[key]
                for key in (
                    "authorizerUri",
                    "authorizerCredentials",
                    "identitySource",
                    "identityValidationExpression",
                    "providerARNs",
                    "authorizerResultTtlInSeconds",
                )
                if authorizer.get(key) is not None
            }
            settings["type"] = authorizer["type"].lower()
            scheme["x-amazon-apigateway-authorizer"] = settings
            schemes[authorizer["name"]] = scheme
    if uses_api_key:
        schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    models = {name: _refs(_schema(model), oas3) for name, model in (snapshot.get("models") or {}).items()}
    if oas3:
        if models:
            document["components"]["schemas"] = models
        if schemes:
            document["components"]["securitySchemes"] = schemes
    else:
        if models:
            document["definitions"] = models
        if schemes:
            document["securityDefinitions"] = schemes
    if with_validators and validators:
        document["x-amazon-apigateway-request-validators"] = {
            validator["name"]: {
                "validateRequestBody": validator.get("validateRequestBody", False),
                "validateRequestParameters": validator.get("validateRequestParameters", False),
            }
            for validator in validators.values()
        }
    if everything:
        responses = snapshot.get("gatewayResponses") or {}
        if responses:
            document["x-amazon-apigateway-gateway-responses"] = {
                kind: {
                    key: copy.deepcopy(value)
                    for key, value in response.items()
                    if key in ("statusCode", "responseParameters", "responseTemplates")
                }
                for kind, response in responses.items()
            }
        if snapshot.get("apiKeySource") and snapshot["apiKeySource"] != "HEADER":
            document["x-amazon-apigateway-api-key-source"] = snapshot["apiKeySource"]
        if snapshot.get("binaryMediaTypes"):
            document["x-amazon-apigateway-binary-media-types"] = list(snapshot["binaryMediaTypes"])
    return document


def _header_name(authorizer: Doc) -> str:
    source = authorizer.get("identitySource") or ""
    if source.startswith("method.request.header.") and "," not in source:
        return source[len("method.request.header.") :]
    return "Unused"


def _schema(model: Doc) -> Any:
    try:
        schema = json.loads(model.get("schema") or "{}")
    except ValueError:
        return {}
    if isinstance(schema, dict):
        schema.pop("$schema", None)
    return schema


def _integration(integration: Doc) -> Doc:
    out: Doc = {"type": integration["type"].lower()}
    for key in (
        "httpMethod", "uri", "credentials", "requestParameters", "requestTemplates", "connectionType", "connectionId",
        "contentHandling", "cacheNamespace", "cacheKeyParameters", "tlsConfig",
    ):  # fmt: skip
        if integration.get(key) not in (None, [], {}):
            out[key] = copy.deepcopy(integration[key])
    out["passthroughBehavior"] = str(integration.get("passthroughBehavior", "WHEN_NO_MATCH")).lower()
    if integration.get("timeoutInMillis") not in (None, 29000):
        out["timeoutInMillis"] = integration["timeoutInMillis"]
    responses: Doc = {}
    for status, response in (integration.get("integrationResponses") or {}).items():
        entry: Doc = {"statusCode": status}
        for key in ("responseParameters", "responseTemplates", "contentHandling"):
            if response.get(key):
                entry[key] = copy.deepcopy(response[key])
        responses[response.get("selectionPattern") or "default"] = entry
    if responses:
        out["responses"] = responses
    return out
