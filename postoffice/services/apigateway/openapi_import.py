"""An OpenAPI 3 or Swagger 2 definition with API Gateway's extensions, turned into a REST API's
resources, methods, integrations, models, validators, authorizers and gateway responses.

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from postoffice.services.apigateway import errors, gateway_responses
from postoffice.services.apigateway.api_resources import check_path_part, recompute_paths
from postoffice.services.apigateway.defaults import AUTHORIZER_TTL, INTEGRATION_TIMEOUT_MS
from postoffice.services.apigateway.ids import new_id
from postoffice.services.apigateway.state import Doc, RestApiRecord

OPERATIONS = {
    "get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "patch": "PATCH", "options": "OPTIONS",
    "head": "HEAD", "x-amazon-apigateway-any-method": "ANY",
}  # fmt: skip
_MODEL_REF = re.compile(r"^#/(?:components/schemas|definitions)/(.+)$")
_INTEGRATION_KEYS = (
    "uri", "credentials", "requestParameters", "requestTemplates", "contentHandling", "cacheNamespace",
    "cacheKeyParameters", "connectionType", "connectionId", "tlsConfig",
)  # fmt: skip


@dataclass
class Definition:
    document: Doc
    oas3: bool
    warnings: list[str] = field(default_factory=list)


def load_definition(body: bytes) -> Definition:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    document: Any
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            import yaml
        except ImportError:
            raise errors.bad_request("Invalid OpenAPI input.") from None
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError:
            raise errors.bad_request("Invalid OpenAPI input.") from None
    if not isinstance(document, dict):
        raise errors.bad_request("Invalid OpenAPI input.")
    if str(document.get("openapi", "")).startswith("3"):
        return Definition(document, True)
    if str(document.get("swagger", "")) == "2.0":
        return Definition(document, False)
    raise errors.bad_request("Invalid OpenAPI input: unsupported or missing version (swagger 2.0 or openapi 3.x)")


def model_uri(api_id: str, name: str) -> str:
    return f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"


def _rewrite_refs(node: Any, api_id: str) -> Any:
    if isinstance(node, list):
        return [_rewrite_refs(item, api_id) for item in node]
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and _MODEL_REF.match(value):
                out[key] = model_uri(api_id, _MODEL_REF.match(value).group(1))  # type: ignore[union-attr]
            else:
                out[key] = _rewrite_refs(value, api_id)
        return out
    return node


def _ref_name(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        match = _MODEL_REF.match(schema["$ref"])
        return match.group(1) if match else None
    return None


class Importer:
    def __init__(self, record: RestApiRecord, definition: Definition) -> None:
        self.record = record
        self.definition = definition
        self.doc = definition.document
        self.validators_by_name: dict[str, str] = {
            validator["name"]: validator_id for validator_id, validator in record.validators.items()
        }
        self.authorizers_by_name: dict[str, str] = {
            authorizer["name"]: authorizer_id for authorizer_id, authorizer in record.authorizers.items()
        }
        self.schemes: dict[str, Doc] = {}

    @property
    def warnings(self) -> list[str]:
        return self.definition.warnings

    def apply(self) -> None:
        doc = self.doc
        info = doc.get("info") or {}
        api = self.record.api
        if info.get("title"):
            api["name"] = str(info["title"])
        if info.get("description"):
            api["description"] = str(info["description"])
        if info.get("version") is not None:
            api["version"] = str(info["version"])
        if doc.get("x-amazon-apigateway-api-key-source"):
            source = str(doc["x-amazon-apigateway-api-key-source"]).upper()
            if source not in ("HEADER", "AUTHORIZER"):
                raise errors.bad_request(f"Invalid API Key source specified: {source}")
            api["apiKeySource"] = source
        if doc.get("x-amazon-apigateway-binary-media-types"):
            api["binaryMediaTypes"] = list(doc["x-amazon-apigateway-binary-media-types"])
        if doc.get("x-amazon-apigateway-minimum-compression-size") is not None:
            api["minimumCompressionSize"] = int(doc["x-amazon-apigateway-minimum-compression-size"])
        if doc.get("x-amazon-apigateway-policy") is not None:
            policy = doc["x-amazon-apigateway-policy"]
            api["policy"] = policy if isinstance(policy, str) else json.dumps(policy)
        self._models()
        self._validators()
        self._security_schemes()
        self._gateway_responses()
        self._paths()

    # Top level --------------------------------------------------------------------------

    def _models(self) -> None:
        schemas = (
            (self.doc.get("components") or {}).get("schemas") if self.definition.oas3 else self.doc.get("definitions")
        )
        for name, schema in (schemas or {}).items():
            if not re.match(r"^[A-Za-z0-9]+$", name):
                self.warnings.append(f"Model name {name} is not alphanumeric; skipped")
                continue
            body = _rewrite_refs(copy.deepcopy(schema), self.record.id)
            if isinstance(body, dict):
                body.setdefault("$schema", "http://json-schema.org/draft-04/schema#")
                body.setdefault("title", name)
            existing = self.record.models.get(name)
            self.record.models[name] = {
                "id": existing["id"] if existing else new_id(),
                "name": name,
                "contentType": "application/json",
                "schema": json.dumps(body, indent=2),
            }

    def _validators(self) -> None:
        for name, settings in (self.doc.get("x-amazon-apigateway-request-validators") or {}).items():
            validator_id = self.validators_by_name.get(name) or new_id()
            self.record.validators[validator_id] = {
                "id": validator_id,
                "name": name,
                "validateRequestBody": bool((settings or {}).get("validateRequestBody", False)),
                "validateRequestParameters": bool((settings or {}).get("validateRequestParameters", False)),
            }
            self.validators_by_name[name] = validator_id

    def _security_schemes(self) -> None:
        if self.definition.oas3:
            schemes = (self.doc.get("components") or {}).get("securitySchemes") or {}
        else:
            schemes = self.doc.get("securityDefinitions") or {}
        for name, scheme in schemes.items():
            scheme = scheme or {}
            self.schemes[name] = scheme
            settings = scheme.get("x-amazon-apigateway-authorizer")
            if not settings:
                continue
            kind = str(settings.get("type", "token")).upper()
            authorizer_id = self.authorizers_by_name.get(name) or new_id()
            authorizer: Doc = {
                "id": authorizer_id,
                "name": name,
                "type": kind,
                "authorizerResultTtlInSeconds": int(settings.get("authorizerResultTtlInSeconds", AUTHORIZER_TTL)),
            }
            authorizer["authType"] = scheme.get("x-amazon-apigateway-authtype", "custom")
            for key in ("authorizerUri", "authorizerCredentials", "identityValidationExpression", "providerARNs"):
                if settings.get(key) is not None:
                    authorizer[key] = settings[key]
            source = settings.get("identitySource")
            if source is None and kind == "TOKEN" and scheme.get("in") == "header" and scheme.get("name"):
                source = f"method.request.header.{scheme['name']}"
            if source is not None:
                authorizer["identitySource"] = source
            if kind == "COGNITO_USER_POOLS" and source is None:
                authorizer["identitySource"] = f"method.request.header.{scheme.get('name', 'Authorization')}"
            self.record.authorizers[authorizer_id] = authorizer
            self.authorizers_by_name[name] = authorizer_id

    def _gateway_responses(self) -> None:
        for kind, settings in (self.doc.get("x-amazon-apigateway-gateway-responses") or {}).items():
            if kind not in gateway_responses.TYPES:
                self.warnings.append(f"Invalid gateway response type {kind}; skipped")
                continue
            response: Doc = {
                "responseType": kind,
                "defaultResponse": False,
                "responseParameters": dict((settings or {}).get("responseParameters") or {}),
                "responseTemplates": dict((settings or {}).get("responseTemplates") or {}),
            }
            if (settings or {}).get("statusCode") is not None:
                response["statusCode"] = str(settings["statusCode"])
            self.record.gateway_responses[kind] = response

    # Paths ------------------------------------------------------------------------------

    def _resource_for(self, path: str) -> Doc:
        resources = self.record.resources
        current = resources[self.record.root_id]
        for part in [segment for segment in path.strip("/").split("/") if segment]:
            child = next(
                (
                    item
                    for item in resources.values()
                    if item.get("parentId") == current["id"] and item["pathPart"] == part
                ),
                None,
            )
            if child is None:
                check_path_part(self.record, current, part)
                child = {"id": new_id(), "parentId": current["id"], "pathPart": part, "path": ""}
                resources[child["id"]] = child
                recompute_paths(self.record, child["id"])
            current = child
        return current

    def _paths(self) -> None:
        default_validator = self.doc.get("x-amazon-apigateway-request-validator")
        global_security = self.doc.get("security")
        for path, item in (self.doc.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            resource = self._resource_for(path)
            shared = item.get("parameters") or []
            for key, operation in item.items():
                http_method = OPERATIONS.get(key)
                if http_method is None or not isinstance(operation, dict):
                    continue
                method = self._method(http_method, operation, shared, default_validator, global_security)
                resource.setdefault("resourceMethods", {})[http_method] = method
                integration = operation.get("x-amazon-apigateway-integration")
                if integration:
                    method["methodIntegration"] = self._integration(integration, resource["id"])
                    for status in method["methodIntegration"].get("integrationResponses", {}):
                        method.setdefault("methodResponses", {}).setdefault(status, {"statusCode": status})

    def _parameter(self, parameter: Doc) -> Doc:
        if "$ref" in parameter:
            name = parameter["$ref"].rsplit("/", 1)[-1]
            container = (
                (self.doc.get("components") or {}).get("parameters")
                if self.definition.oas3
                else self.doc.get("parameters")
            )
            return (container or {}).get(name) or {}
        return parameter

    def _method(
        self, http_method: str, operation: Doc, shared: list[Any], default_validator: Any, global_security: Any
    ) -> Doc:
        method: Doc = {"httpMethod": http_method, "authorizationType": "NONE", "apiKeyRequired": False}
        if operation.get("operationId"):
            method["operationName"] = operation["operationId"]
        parameters: dict[str, bool] = {}
        models: dict[str, str] = {}
        for raw in [*shared, *(operation.get("parameters") or [])]:
            parameter = self._parameter(raw or {})
            location = {"path": "path", "query": "querystring", "header": "header"}.get(parameter.get("in", ""))
            if location is not None and parameter.get("name"):
                required = True if location == "path" else bool(parameter.get("required", False))
                parameters[f"method.request.{location}.{parameter['name']}"] = required
            elif parameter.get("in") == "body":
                name = _ref_name(parameter.get("schema"))
                if name:
                    for content_type in operation.get("consumes") or self.doc.get("consumes") or ["application/json"]:
                        models[content_type] = name
        body = operation.get("requestBody") or {}
        for content_type, content in (body.get("content") or {}).items():
            name = _ref_name((content or {}).get("schema"))
            if name:
                models[content_type] = name
        if parameters:
            method["requestParameters"] = parameters
        if models:
            method["requestModels"] = models
        validator = operation.get("x-amazon-apigateway-request-validator", default_validator)
        if validator:
            if validator not in self.validators_by_name:
                raise errors.bad_request(f"Invalid request validator {validator} specified")
            method["requestValidatorId"] = self.validators_by_name[validator]
        self._security(method, operation.get("security", global_security))
        responses = {}
        for status, response in (operation.get("responses") or {}).items():
            if not re.match(r"^[1-5]\d\d$", str(status)):
                continue
            method_response: Doc = {"statusCode": str(status)}
            headers = (response or {}).get("headers") or {}
            if headers:
                method_response["responseParameters"] = {f"method.response.header.{name}": False for name in headers}
            response_models: dict[str, str] = {}
            if self.definition.oas3:
                for content_type, content in ((response or {}).get("content") or {}).items():
                    name = _ref_name((content or {}).get("schema"))
                    if name:
                        response_models[content_type] = name
            else:
                name = _ref_name((response or {}).get("schema"))
                if name:
                    for content_type in operation.get("produces") or self.doc.get("produces") or ["application/json"]:
                        response_models[content_type] = name
            if response_models:
                method_response["responseModels"] = response_models
            responses[str(status)] = method_response
        if responses:
            method["methodResponses"] = responses
        return method

    def _security(self, method: Doc, security: Any) -> None:
        for requirement in security or []:
            for name, scopes in (requirement or {}).items():
                scheme = self.schemes.get(name, {})
                auth_type = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
                if (
                    scheme.get("type") == "apiKey"
                    and scheme.get("in") == "header"
                    and name not in self.authorizers_by_name
                ):
                    if auth_type == "awssigv4":
                        method["authorizationType"] = "AWS_IAM"
                    else:
                        method["apiKeyRequired"] = True
                elif name in self.authorizers_by_name:
                    authorizer = self.record.authorizers[self.authorizers_by_name[name]]
                    method["authorizationType"] = (
                        "COGNITO_USER_POOLS" if authorizer["type"] == "COGNITO_USER_POOLS" else "CUSTOM"
                    )
                    method["authorizerId"] = authorizer["id"]
                    if scopes:
                        method["authorizationScopes"] = list(scopes)
                elif auth_type == "awssigv4":
                    method["authorizationType"] = "AWS_IAM"
                else:
                    self.warnings.append(f"Unknown security scheme {name}")

    def _integration(self, settings: Doc, resource_id: str) -> Doc:
        kind = str(settings.get("type", "")).upper()
        if kind not in ("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"):
            raise errors.bad_request(f"Invalid integration type specified: {settings.get('type')}")
        integration: Doc = {
            "type": kind,
            "passthroughBehavior": str(settings.get("passthroughBehavior", "when_no_match")).upper(),
            "timeoutInMillis": int(settings.get("timeoutInMillis", INTEGRATION_TIMEOUT_MS)),
            "cacheNamespace": resource_id,
            "cacheKeyParameters": [],
        }
        if settings.get("httpMethod"):
            integration["httpMethod"] = str(settings["httpMethod"]).upper()
        for key in _INTEGRATION_KEYS:
            if settings.get(key) is not None:
                integration[key] = copy.deepcopy(settings[key])
        if isinstance(integration.get("requestTemplates"), dict):
            integration["requestTemplates"] = {k: str(v) for k, v in integration["requestTemplates"].items()}
        if kind in ("HTTP", "HTTP_PROXY"):
            integration.setdefault("connectionType", "INTERNET")
        responses: dict[str, Doc] = {}
        for pattern, response in (settings.get("responses") or {}).items():
            response = response or {}
            status = str(response.get("statusCode", "200"))
            entry: Doc = {"statusCode": status}
            if str(pattern) != "default":
                entry["selectionPattern"] = str(pattern)
            for key in ("responseParameters", "responseTemplates", "contentHandling"):
                if response.get(key) is not None:
                    entry[key] = copy.deepcopy(response[key])
            responses[status] = entry
        if responses:
            integration["integrationResponses"] = responses
        return integration


def import_into(record: RestApiRecord, body: bytes, overwrite: bool, fail_on_warnings: bool) -> list[str]:
    definition = load_definition(body)
    if overwrite:
        root = record.resources[record.root_id]
        root.pop("resourceMethods", None)
        record.resources = {record.root_id: root}
        record.models = {name: model for name, model in record.models.items() if name in ("Empty", "Error")}
        record.validators = {}
        record.authorizers = {}
        record.gateway_responses = {}
    importer = Importer(record, definition)
    importer.apply()
    if fail_on_warnings and importer.warnings:
        raise errors.bad_request("Warnings found during import:\n\t" + "\n\t".join(importer.warnings))
    return importer.warnings
