"""Models, request validators, authorizers and gateway responses of a REST API."""

from __future__ import annotations

import copy
import re
from typing import Any

import orjson

from postoffice.protocol.context import RequestContext
from postoffice.services.apigateway import errors, gateway_responses
from postoffice.services.apigateway.defaults import AUTHORIZER_TTL
from postoffice.services.apigateway.ids import new_id
from postoffice.services.apigateway.integration_uri import parse_aws_uri
from postoffice.services.apigateway.paging import page
from postoffice.services.apigateway.patch import PatchField, apply_patches
from postoffice.services.apigateway.state import ApiGatewayState, Doc, RestApiRecord

_MODEL_NAME = re.compile(r"^[A-Za-z0-9]+$")
_IDENTITY = re.compile(
    r"^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring|path)\.[^.\s]+"
    r"|stageVariables\.\S+|context\.\S+)$"
)

_MODEL_PATCHES = [PatchField("/schema", "json", ops=("replace",)), PatchField("/description")]
_VALIDATOR_PATCHES = [
    PatchField("/name", ops=("replace",)),
    PatchField("/validateRequestBody", "bool", ops=("replace",)),
    PatchField("/validateRequestParameters", "bool", ops=("replace",)),
]
_AUTHORIZER_PATCHES = [
    PatchField("/name", ops=("replace",)),
    PatchField("/type", ops=("replace",)),
    PatchField("/authorizerUri", ops=("replace",)),
    PatchField("/authorizerCredentials"),
    PatchField("/identitySource"),
    PatchField("/identityValidationExpression"),
    PatchField("/authorizerResultTtlInSeconds", "int", ops=("replace",)),
    PatchField("/providerARNs/*", "item"),
    PatchField("/authType"),
]
_GATEWAY_RESPONSE_PATCHES = [
    PatchField("/statusCode"),
    PatchField("/responseParameters/*"),
    PatchField("/responseTemplates/*"),
]


def check_schema(schema: str | None) -> None:
    if schema is None:
        return
    try:
        document = orjson.loads(schema)
    except orjson.JSONDecodeError:
        raise errors.bad_request(
            "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
        ) from None
    if not isinstance(document, dict):
        raise errors.bad_request(
            "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
        )


def check_authorizer(authorizer: Doc) -> None:
    kind = authorizer.get("type")
    if kind not in ("TOKEN", "REQUEST", "COGNITO_USER_POOLS"):
        raise errors.bad_request(
            f"Invalid authorizer type specified: {kind}. Valid values are TOKEN, REQUEST, COGNITO_USER_POOLS"
        )
    ttl = authorizer.get("authorizerResultTtlInSeconds", AUTHORIZER_TTL)
    if not 0 <= int(ttl) <= 3600:
        raise errors.bad_request("Invalid TTL specified. Must be between 0 and 3600 seconds")
    if kind == "COGNITO_USER_POOLS":
        if not authorizer.get("providerARNs"):
            raise errors.bad_request("Invalid Authorizer providerARNs specified")
        return
    uri = authorizer.get("authorizerUri")
    parsed = parse_aws_uri(uri or "")
    if parsed is None or parsed.function_arn is None:
        raise errors.bad_request(f"Invalid Authorizer URI specified: {uri}")
    source = authorizer.get("identitySource")
    if kind == "TOKEN":
        if not source or not source.startswith("method.request.header."):
            raise errors.bad_request(
                f"Invalid identity source specified: {source}. Identity source must be of the form "
                "method.request.header.<header name>"
            )
    elif source:
        for part in source.split(","):
            if not _IDENTITY.match(part.strip()):
                raise errors.bad_request(f"Invalid identity source specified: {part.strip()}")
    elif int(ttl) > 0:
        raise errors.bad_request("Identity source is required when authorizer caching is enabled")


class ModelOperations(ApiGatewayState):
    # Models -----------------------------------------------------------------------------

    def _model(self, record: RestApiRecord, name: str) -> Doc:
        model = record.models.get(name)
        if model is None:
            raise errors.model_not_found(name)
        return model

    async def CreateModel(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        name = params["name"]
        if not _MODEL_NAME.match(name or ""):
            raise errors.bad_request("Model name must be alphanumeric")
        if name in record.models:
            raise errors.conflict("Model name already exists for this REST API")
        check_schema(params.get("schema"))
        model: Doc = {"id": new_id(), "name": name, "contentType": params["contentType"]}
        for key in ("description", "schema"):
            if params.get(key) is not None:
                model[key] = params[key]
        record.models[name] = model
        await self.save_api(ctx, record)
        return dict(model)

    def GetModel(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        return dict(self._model(self.get_api(ctx, params["restApiId"]), params["modelName"]))

    def GetModels(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        return page([dict(model) for model in record.models.values()], params)

    async def UpdateModel(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        model = self._model(record, params["modelName"])
        updated = dict(model)
        apply_patches(updated, params.get("patchOperations") or [], _MODEL_PATCHES)
        check_schema(updated.get("schema"))
        model.update(updated)
        await self.save_api(ctx, record)
        return dict(model)

    async def DeleteModel(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        name = params["modelName"]
        self._model(record, name)
        for resource in record.resources.values():
            for method_name, method in (resource.get("resourceMethods") or {}).items():
                if name in (method.get("requestModels") or {}).values():
                    raise errors.conflict(
                        f"Cannot delete model '{name}', is referenced in method request: "
                        f"{resource['path']}/{method_name}"
                    )
        del record.models[name]
        await self.save_api(ctx, record)

    def GetModelTemplate(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        model = self._model(record, params["modelName"])
        try:
            schema = orjson.loads(model.get("schema") or "{}")
        except orjson.JSONDecodeError:
            schema = {}
        properties = schema.get("properties") or {} if isinstance(schema, dict) else {}
        lines = ["#set($inputRoot = $input.path('$'))", "{"]
        names = list(properties)
        for index, name in enumerate(names):
            comma = "," if index + 1 < len(names) else ""
            lines.append(f'  "{name}" : "$inputRoot.{name}"{comma}')
        lines.append("}")
        return {"value": "\n".join(lines)}

    # Request validators -----------------------------------------------------------------

    def _validator(self, record: RestApiRecord, validator_id: str) -> Doc:
        validator = record.validators.get(validator_id)
        if validator is None:
            raise errors.validator_not_found()
        return validator

    async def CreateRequestValidator(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        validator: Doc = {
            "id": new_id(),
            "name": params.get("name") or "",
            "validateRequestBody": bool(params.get("validateRequestBody", False)),
            "validateRequestParameters": bool(params.get("validateRequestParameters", False)),
        }
        if not validator["name"]:
            raise errors.bad_request("Validator name must be non-empty")
        record.validators[validator["id"]] = validator
        await self.save_api(ctx, record)
        return dict(validator)

    def GetRequestValidator(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        return dict(self._validator(self.get_api(ctx, params["restApiId"]), params["requestValidatorId"]))

    def GetRequestValidators(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        return page([dict(validator) for validator in record.validators.values()], params)

    async def UpdateRequestValidator(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        validator = self._validator(record, params["requestValidatorId"])
        apply_patches(validator, params.get("patchOperations") or [], _VALIDATOR_PATCHES)
        await self.save_api(ctx, record)
        return dict(validator)

    async def DeleteRequestValidator(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        validator_id = params["requestValidatorId"]
        self._validator(record, validator_id)
        for resource in record.resources.values():
            for method in (resource.get("resourceMethods") or {}).values():
                if method.get("requestValidatorId") == validator_id:
                    raise errors.conflict(
                        f"Cannot delete request validator '{validator_id}', is referenced in method "
                        f"{resource['path']}/{method['httpMethod']}"
                    )
        del record.validators[validator_id]
        await self.save_api(ctx, record)

    # Authorizers ------------------------------------------------------------------------

    def _authorizer(self, record: RestApiRecord, authorizer_id: str) -> Doc:
        authorizer = record.authorizers.get(authorizer_id)
        if authorizer is None:
            raise errors.authorizer_not_found()
        return authorizer

    async def CreateAuthorizer(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        authorizer: Doc = {"id": new_id(), "name": params["name"], "type": params["type"]}
        for key in (
            "providerARNs", "authType", "authorizerUri", "authorizerCredentials", "identitySource",
            "identityValidationExpression",
        ):  # fmt: skip
            if params.get(key) is not None:
                authorizer[key] = copy.deepcopy(params[key])
        authorizer["authorizerResultTtlInSeconds"] = params.get("authorizerResultTtlInSeconds", AUTHORIZER_TTL)
        check_authorizer(authorizer)
        record.authorizers[authorizer["id"]] = authorizer
        await self.save_api(ctx, record)
        return copy.deepcopy(authorizer)

    def GetAuthorizer(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        return copy.deepcopy(self._authorizer(record, params["authorizerId"]))

    def GetAuthorizers(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        return page([copy.deepcopy(item) for item in record.authorizers.values()], params)

    async def UpdateAuthorizer(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        authorizer = self._authorizer(record, params["authorizerId"])
        updated = copy.deepcopy(authorizer)
        apply_patches(updated, params.get("patchOperations") or [], _AUTHORIZER_PATCHES)
        check_authorizer(updated)
        authorizer.clear()
        authorizer.update(updated)
        await self.save_api(ctx, record)
        return copy.deepcopy(authorizer)

    async def DeleteAuthorizer(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        authorizer_id = params["authorizerId"]
        self._authorizer(record, authorizer_id)
        for resource in record.resources.values():
            for method in (resource.get("resourceMethods") or {}).values():
                if method.get("authorizerId") == authorizer_id:
                    raise errors.conflict("Cannot delete authorizer, is referenced in a method")
        del record.authorizers[authorizer_id]
        await self.save_api(ctx, record)

    # Gateway responses ------------------------------------------------------------------

    @staticmethod
    def _response_type(response_type: str) -> str:
        if response_type not in gateway_responses.TYPES:
            raise errors.bad_request(
                f"Invalid gateway response type specified: {response_type}. Valid values are: "
                + ", ".join(gateway_responses.TYPES)
            )
        return response_type

    async def PutGatewayResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        response_type = self._response_type(params["responseType"])
        response: Doc = {"responseType": response_type, "defaultResponse": False}
        if params.get("statusCode"):
            response["statusCode"] = params["statusCode"]
        response["responseParameters"] = copy.deepcopy(params.get("responseParameters") or {})
        response["responseTemplates"] = copy.deepcopy(params.get("responseTemplates") or {})
        record.gateway_responses[response_type] = response
        await self.save_api(ctx, record)
        return copy.deepcopy(response)

    def GetGatewayResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        response_type = self._response_type(params["responseType"])
        return gateway_responses.effective(response_type, record.gateway_responses)

    def GetGatewayResponses(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        items = [gateway_responses.effective(kind, record.gateway_responses) for kind in gateway_responses.TYPES]
        return page(items, params)

    async def UpdateGatewayResponse(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        response_type = self._response_type(params["responseType"])
        response = copy.deepcopy(
            record.gateway_responses.get(response_type)
            or gateway_responses.effective(response_type, record.gateway_responses)
        )
        apply_patches(response, params.get("patchOperations") or [], _GATEWAY_RESPONSE_PATCHES)
        response["defaultResponse"] = False
        record.gateway_responses[response_type] = response
        await self.save_api(ctx, record)
        return copy.deepcopy(response)

    async def DeleteGatewayResponse(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        response_type = self._response_type(params["responseType"])
        if response_type not in record.gateway_responses:
            raise errors.not_found("Invalid gateway response type specified")
        del record.gateway_responses[response_type]
        await self.save_api(ctx, record)
