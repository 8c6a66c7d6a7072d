"""Resources, methods, method responses, integrations and integration responses."""

from __future__ import annotations

import copy
import re
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.apigateway import errors
from postoffice.services.apigateway.defaults import HTTP_METHODS, INTEGRATION_TIMEOUT_MS
from postoffice.services.apigateway.ids import new_id
from postoffice.services.apigateway.integration_uri import check_integration
from postoffice.services.apigateway.paging import page
from postoffice.services.apigateway.patch import PatchField, apply_patches
from postoffice.services.apigateway.state import ApiGatewayState, Doc, RestApiRecord

_PATH_PART = re.compile(r"^(?:[A-Za-z0-9._:-]+|\{[A-Za-z0-9._-]+\+?\})$")
_STATUS = re.compile(r"^[1-5]\d\d$")
_PARAMETER = re.compile(r"^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$")

_METHOD_PATCHES = [
    PatchField("/authorizationType", ops=("replace",)),
    PatchField("/authorizerId", ops=("replace", "remove")),
    PatchField("/apiKeyRequired", "bool", ops=("replace",)),
    PatchField("/requestValidatorId", ops=("replace", "remove")),
    PatchField("/operationName"),
    PatchField("/requestParameters/*", "bool"),
    PatchField("/requestModels/*"),
    PatchField("/authorizationScopes/*", "item"),
]
_METHOD_RESPONSE_PATCHES = [PatchField("/responseParameters/*", "bool"), PatchField("/responseModels/*")]
_INTEGRATION_PATCHES = [
    PatchField("/type", ops=("replace",)),
    PatchField("/httpMethod", ops=("replace",)),
    PatchField("/uri", ops=("replace",)),
    PatchField("/credentials"),
    PatchField("/connectionType", ops=("replace",)),
    PatchField("/connectionId"),
    PatchField("/passthroughBehavior", ops=("replace",)),
    PatchField("/contentHandling"),
    PatchField("/timeoutInMillis", "int", ops=("replace",)),
    PatchField("/cacheNamespace", ops=("replace",)),
    PatchField("/cacheKeyParameters/*", "item"),
    PatchField("/requestParameters/*"),
    PatchField("/requestTemplates/*"),
    PatchField("/tlsConfig/insecureSkipVerification", "bool"),
]
_INTEGRATION_RESPONSE_PATCHES = [
    PatchField("/selectionPattern"),
    PatchField("/contentHandling"),
    PatchField("/responseParameters/*"),
    PatchField("/responseTemplates/*"),
]


def resource_view(resource: Doc, embed_methods: bool) -> Doc:
    view = {key: copy.deepcopy(value) for key, value in resource.items() if key != "resourceMethods"}
    methods = resource.get("resourceMethods")
    if methods:
        view["resourceMethods"] = copy.deepcopy(methods) if embed_methods else {name: {} for name in methods}
    return view


def children(record: RestApiRecord, resource_id: str) -> list[Doc]:
    return [resource for resource in record.resources.values() if resource.get("parentId") == resource_id]


def subtree(record: RestApiRecord, resource_id: str) -> list[str]:
    found = [resource_id]
    for child in children(record, resource_id):
        found.extend(subtree(record, child["id"]))
    return found


def recompute_paths(record: RestApiRecord, resource_id: str) -> None:
    resource = record.resources[resource_id]
    parent = record.resources.get(resource.get("parentId", ""))
    if parent is not None:
        base = parent["path"].rstrip("/")
        resource["path"] = f"{base}/{resource['pathPart']}"
    for child in children(record, resource_id):
        recompute_paths(record, child["id"])


def check_path_part(record: RestApiRecord, parent: Doc, path_part: str, resource_id: str | None = None) -> None:
    if not path_part or not _PATH_PART.match(path_part):
        raise errors.bad_request(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
            "and an optional plus sign before the closing brace."
        )
    if parent.get("pathPart", "").endswith("+}"):
        raise errors.bad_request(
            f"Cannot create a child of a resource with a greedy path variable: {parent['pathPart']}"
        )
    for sibling in children(record, parent["id"]):
        if sibling["id"] == resource_id:
            continue
        if sibling["pathPart"] == path_part:
            raise errors.conflict(f"Another resource with the same parent already has this name: {path_part}")
        if path_part.startswith("{") and sibling["pathPart"].startswith("{"):
            raise errors.bad_request(
                f"A sibling ({sibling['pathPart']}) of this resource already has a variable path part "
                "-- only one is allowed"
            )


def check_request_parameters(parameters: dict[str, Any] | None) -> None:
    if not parameters:
        return
    names = set()
    for key in parameters:
        match = _PARAMETER.match(key)
        if match is None:
            raise errors.bad_request(
                "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
                f"[Invalid method request parameter name specified: {key}]"
            )
        names.add(match.group(2))
    if len(names) != len(parameters):
        raise errors.bad_request("Parameter names must be unique across querystring, header and path")


def check_status(status: str) -> None:
    if not _STATUS.match(status or ""):
        raise errors.bad_request("Invalid Status code specified")


class ResourceOperations(ApiGatewayState):
    # Resources --------------------------------------------------------------------------

    async def CreateResource(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        parent = self.get_resource(record, params["parentId"])
        path_part = params.get("pathPart") or ""
        check_path_part(record, parent, path_part)
        resource: Doc = {"id": new_id(), "parentId": parent["id"], "pathPart": path_part, "path": ""}
        record.resources[resource["id"]] = resource
        recompute_paths(record, resource["id"])
        await self.save_api(ctx, record)
        return resource_view(resource, False)

    def GetResource(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        resource = self.get_resource(record, params["resourceId"])
        return resource_view(resource, "methods" in (params.get("embed") or []))

    def GetResources(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        embed = "methods" in (params.get("embed") or [])
        resources = sorted(record.resources.values(), key=lambda resource: resource["path"])
        return page([resource_view(resource, embed) for resource in resources], params)

    async def UpdateResource(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        resource = self.get_resource(record, params["resourceId"])
        updated = dict(resource)
        for operation in params.get("patchOperations") or []:
            path, op = operation.get("path"), operation.get("op")
            if path not in ("/pathPart", "/parentId"):
                raise errors.bad_request(
                    f"Invalid patch path  '{path}' specified for op '{op}'. Must be one of: [/parentId, /pathPart]"
                )
            if op != "replace":
                raise errors.bad_request(
                    f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
                )
            updated[path[1:]] = operation.get("value") or ""
        if resource["id"] == record.root_id:
            raise errors.bad_request("Cannot update the root resource")
        parent = self.get_resource(record, updated["parentId"])
        if parent["id"] in subtree(record, resource["id"]):
            raise errors.bad_request("Resources cannot be cyclical.")
        check_path_part(record, parent, updated["pathPart"], resource["id"])
        resource.update(updated)
        recompute_paths(record, resource["id"])
        await self.save_api(ctx, record)
        return resource_view(resource, True)

    async def DeleteResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        resource = self.get_resource(record, params["resourceId"])
        if resource["id"] == record.root_id:
            raise errors.bad_request("Cannot delete root resource")
        for resource_id in subtree(record, resource["id"]):
            record.resources.pop(resource_id, None)
        await self.save_api(ctx, record)

    # Methods ----------------------------------------------------------------------------

    async def PutMethod(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        resource = self.get_resource(record, params["resourceId"])
        http_method = params["httpMethod"]
        if http_method not in HTTP_METHODS:
            raise errors.bad_request(
                "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
            )
        if http_method in resource.get("resourceMethods", {}):
            raise errors.conflict("Method already exists for this resource")
        method: Doc = {
            "httpMethod": http_method,
            "authorizationType": params["authorizationType"],
            "apiKeyRequired": bool(params.get("apiKeyRequired", False)),
        }
        for name in (
            "authorizerId", "requestValidatorId", "operationName", "requestParameters", "requestModels",
            "authorizationScopes",
        ):  # fmt: skip
            if params.get(name) is not None:
                method[name] = copy.deepcopy(params[name])
        self._check_method(record, method)
        resource.setdefault("resourceMethods", {})[http_method] = method
        await self.save_api(ctx, record)
        return copy.deepcopy(method)

    def _check_method(self, record: RestApiRecord, method: Doc) -> None:
        kind = method.get("authorizationType")
        if kind not in ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"):
            raise errors.bad_request(
                f"Invalid authorization type specified: {kind}. Valid values are NONE, AWS_IAM, CUSTOM, "
                "COGNITO_USER_POOLS"
            )
        if kind in ("CUSTOM", "COGNITO_USER_POOLS"):
            if not method.get("authorizerId") or method["authorizerId"] not in record.authorizers:
                raise errors.bad_request(
                    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                    "COGNITO_USER_POOLS requires a valid authorizer."
                )
        else:
            method.pop("authorizerId", None)
        validator = method.get("requestValidatorId")
        if validator and validator not in record.validators:
            raise errors.bad_request("Invalid Request Validator identifier specified")
        for model in (method.get("requestModels") or {}).values():
            if model not in record.models:
                raise errors.bad_request(f"Invalid model identifier specified: {model}")
        check_request_parameters(method.get("requestParameters"))

    def GetMethod(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        return copy.deepcopy(self.get_method(record, params["resourceId"], params["httpMethod"]))

    async def UpdateMethod(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        method = self.get_method(record, params["resourceId"], params["httpMethod"])
        updated = copy.deepcopy(method)
        operations = []
        for operation in params.get("patchOperations") or []:
            if operation.get("path") == "/requestValidatorId" and not operation.get("value"):
                operation = {"op": "remove", "path": "/requestValidatorId"}
            operations.append(operation)
        apply_patches(updated, operations, _METHOD_PATCHES)
        for name in ("requestParameters", "requestModels", "authorizationScopes"):
            if name in updated and not updated[name]:
                del updated[name]
        self._check_method(record, updated)
        method.clear()
        method.update(updated)
        await self.save_api(ctx, record)
        return copy.deepcopy(method)

    async def DeleteMethod(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        self.get_method(record, params["resourceId"], params["httpMethod"])
        del record.resources[params["resourceId"]]["resourceMethods"][params["httpMethod"]]
        await self.save_api(ctx, record)

    # Method responses -------------------------------------------------------------------

    def _method_response(self, record: RestApiRecord, params: dict[str, Any]) -> Doc:
        method = self.get_method(record, params["resourceId"], params["httpMethod"])
        response = (method.get("methodResponses") or {}).get(params["statusCode"])
        if response is None:
            raise errors.response_not_found()
        return response  # type: ignore[no-any-return]

    async def PutMethodResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        method = self.get_method(record, params["resourceId"], params["httpMethod"])
        check_status(params["statusCode"])
        response: Doc = {"statusCode": params["statusCode"]}
        for name in ("responseParameters", "responseModels"):
            if params.get(name) is not None:
                response[name] = copy.deepcopy(params[name])
        for model in (response.get("responseModels") or {}).values():
            if model not in record.models:
                raise errors.bad_request(f"Invalid model identifier specified: {model}")
        method.setdefault("methodResponses", {})[params["statusCode"]] = response
        await self.save_api(ctx, record)
        return copy.deepcopy(response)

    def GetMethodResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        return copy.deepcopy(self._method_response(self.get_api(ctx, params["restApiId"]), params))

    async def UpdateMethodResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        response = self._method_response(record, params)
        apply_patches(response, params.get("patchOperations") or [], _METHOD_RESPONSE_PATCHES)
        await self.save_api(ctx, record)
        return copy.deepcopy(response)

    async def DeleteMethodResponse(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        self._method_response(record, params)
        method = self.get_method(record, params["resourceId"], params["httpMethod"])
        del method["methodResponses"][params["statusCode"]]
        await self.save_api(ctx, record)

    # Integrations -----------------------------------------------------------------------

    async def PutIntegration(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        method = self.get_method(record, params["resourceId"], params["httpMethod"])
        integration: Doc = {
            "type": params["type"],
            "passthroughBehavior": params.get("passthroughBehavior") or "WHEN_NO_MATCH",
            "timeoutInMillis": params.get("timeoutInMillis") or INTEGRATION_TIMEOUT_MS,
            "cacheNamespace": params.get("cacheNamespace") or params["resourceId"],
            "cacheKeyParameters": list(params.get("cacheKeyParameters") or []),
        }
        if params.get("integrationHttpMethod"):
            integration["httpMethod"] = params["integrationHttpMethod"]
        for name in (
            "uri", "connectionType", "connectionId", "credentials", "requestParameters", "requestTemplates",
            "contentHandling", "tlsConfig", "responseTransferMode",
        ):  # fmt: skip
            if params.get(name) is not None:
                integration[name] = copy.deepcopy(params[name])
        if integration["type"] in ("HTTP", "HTTP_PROXY"):
            integration.setdefault("connectionType", "INTERNET")
        check_integration(integration)
        method["methodIntegration"] = integration
        await self.save_api(ctx, record)
        return copy.deepcopy(integration)

    def GetIntegration(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        return copy.deepcopy(self.get_integration(record, params["resourceId"], params["httpMethod"]))

    async def UpdateIntegration(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        integration = self.get_integration(record, params["resourceId"], params["httpMethod"])
        updated = copy.deepcopy(integration)
        apply_patches(updated, params.get("patchOperations") or [], _INTEGRATION_PATCHES)
        check_integration(updated)
        integration.clear()
        integration.update(updated)
        await self.save_api(ctx, record)
        return copy.deepcopy(integration)

    async def DeleteIntegration(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        self.get_integration(record, params["resourceId"], params["httpMethod"])
        del self.get_method(record, params["resourceId"], params["httpMethod"])["methodIntegration"]
        await self.save_api(ctx, record)

    # Integration responses --------------------------------------------------------------

    def _integration_response(self, record: RestApiRecord, params: dict[str, Any]) -> Doc:
        integration = self.get_integration(record, params["resourceId"], params["httpMethod"])
        response = (integration.get("integrationResponses") or {}).get(params["statusCode"])
        if response is None:
            raise errors.response_not_found()
        return response  # type: ignore[no-any-return]

    async def PutIntegrationResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        integration = self.get_integration(record, params["resourceId"], params["httpMethod"])
        method = self.get_method(record, params["resourceId"], params["httpMethod"])
        check_status(params["statusCode"])
        if params["statusCode"] not in (method.get("methodResponses") or {}):
            raise errors.response_not_found()
        response: Doc = {"statusCode": params["statusCode"]}
        for name in ("selectionPattern", "responseParameters", "responseTemplates", "contentHandling"):
            if params.get(name) is not None:
                response[name] = copy.deepcopy(params[name])
        _check_selection_pattern(response.get("selectionPattern"))
        integration.setdefault("integrationResponses", {})[params["statusCode"]] = response
        await self.save_api(ctx, record)
        return copy.deepcopy(response)

    def GetIntegrationResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        return copy.deepcopy(self._integration_response(self.get_api(ctx, params["restApiId"]), params))

    async def UpdateIntegrationResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        response = self._integration_response(record, params)
        updated = copy.deepcopy(response)
        apply_patches(updated, params.get("patchOperations") or [], _INTEGRATION_RESPONSE_PATCHES)
        _check_selection_pattern(updated.get("selectionPattern"))
        response.clear()
        response.update(updated)
        await self.save_api(ctx, record)
        return copy.deepcopy(response)

    async def DeleteIntegrationResponse(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        self._integration_response(record, params)
        integration = self.get_integration(record, params["resourceId"], params["httpMethod"])
        del integration["integrationResponses"][params["statusCode"]]
        await self.save_api(ctx, record)


def _check_selection_pattern(pattern: str | None) -> None:
    if not pattern:
        return
    try:
        re.compile(pattern)
    except re.error:
        raise errors.bad_request(f"Invalid selection pattern specified: {pattern}") from None
