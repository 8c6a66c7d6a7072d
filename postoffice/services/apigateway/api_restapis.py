"""CreateRestApi ... DeleteRestApi, tags, and the account settings."""

from __future__ import annotations

import copy
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.apigateway import errors
from postoffice.services.apigateway.defaults import ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT, default_models
from postoffice.services.apigateway.ids import new_id
from postoffice.services.apigateway.paging import page
from postoffice.services.apigateway.patch import PatchField, apply_patches
from postoffice.services.apigateway.state import ApiGatewayState, RestApiRecord

MAX_COMPRESSION = 10485760
_API_PATCHES = [
    PatchField("/name", ops=("replace",)),
    PatchField("/description"),
    PatchField("/version"),
    PatchField("/apiKeySource", ops=("replace",)),
    PatchField("/policy"),
    PatchField("/disableExecuteApiEndpoint", "bool", ops=("replace",)),
    PatchField("/binaryMediaTypes/*", "item"),
    PatchField("/minimumCompressionSize", "int", ops=("replace", "remove")),
    PatchField("/endpointConfiguration/types/*", "item"),
    PatchField("/endpointConfiguration/ipAddressType", ops=("replace",)),
]


def _check_compression(value: Any) -> None:
    if value is not None and not 0 <= value <= MAX_COMPRESSION:
        raise errors.bad_request(f"Invalid minimum compression size, must be between 0 and {MAX_COMPRESSION}")


def api_view(record: RestApiRecord) -> dict[str, Any]:
    return copy.deepcopy(record.api)


def new_rest_api(params: dict[str, Any], now: float) -> RestApiRecord:
    api_id = new_id(10)
    root_id = new_id(10)
    endpoint = copy.deepcopy(params.get("endpointConfiguration") or {"types": ["EDGE"]})
    endpoint.setdefault("types", ["EDGE"])
    endpoint.setdefault("ipAddressType", "dualstack" if endpoint["types"] == ["PRIVATE"] else "ipv4")
    api: dict[str, Any] = {
        "id": api_id,
        "name": params["name"],
        "createdDate": now,
        "apiKeySource": params.get("apiKeySource") or "HEADER",
        "endpointConfiguration": endpoint,
        "disableExecuteApiEndpoint": bool(params.get("disableExecuteApiEndpoint", False)),
        "rootResourceId": root_id,
    }
    for name in ("description", "version", "binaryMediaTypes", "minimumCompressionSize", "policy", "tags"):
        if params.get(name) is not None:
            api[name] = copy.deepcopy(params[name])
    record = RestApiRecord(api)
    record.resources[root_id] = {"id": root_id, "path": "/"}
    record.models = default_models(new_id)
    return record


def clone_into(record: RestApiRecord, source: RestApiRecord) -> None:
    """cloneFrom: the source's resources, methods, models, validators, authorizers and
    gateway responses, with fresh resource ids."""
    mapping = {source.root_id: record.root_id}
    for resource_id in source.resources:
        mapping.setdefault(resource_id, new_id())
    record.resources = {}
    for old_id, resource in source.resources.items():
        clone = copy.deepcopy(resource)
        clone["id"] = mapping[old_id]
        if "parentId" in clone:
            clone["parentId"] = mapping[clone["parentId"]]
        for method in clone.get("resourceMethods", {}).values():
            integration = method.get("methodIntegration")
            if integration and integration.get("cacheNamespace") == old_id:
                integration["cacheNamespace"] = clone["id"]
        record.resources[clone["id"]] = clone
    record.models = copy.deepcopy(source.models)
    record.validators = copy.deepcopy(source.validators)
    record.authorizers = copy.deepcopy(source.authorizers)
    record.gateway_responses = copy.deepcopy(source.gateway_responses)
    for name in ("binaryMediaTypes", "minimumCompressionSize", "apiKeySource", "policy"):
        if name in source.api and name not in record.api:
            record.api[name] = copy.deepcopy(source.api[name])


class RestApiOperations(ApiGatewayState):
    async def CreateRestApi(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("description") == "":
            raise errors.bad_request("Description cannot be an empty string")
        _check_compression(params.get("minimumCompressionSize"))
        source = self.get_api(ctx, params["cloneFrom"]) if params.get("cloneFrom") else None
        record = new_rest_api(params, self.now())
        if source is not None:
            clone_into(record, source)
        await self.save_api(ctx, record)
        return api_view(record)

    def GetRestApi(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return api_view(self.get_api(ctx, params["restApiId"]))

    def GetRestApis(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        records = sorted(self.apis.list(ctx.account, ctx.region), key=lambda record: record.api["createdDate"])
        return page([api_view(record) for record in records], params)

    async def UpdateRestApi(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.get_api(ctx, params["restApiId"])
        api = copy.deepcopy(record.api)
        operations = params.get("patchOperations") or []
        for operation in operations:
            if operation.get("path") == "/binaryMediaTypes":
                raise errors.invalid_patch_path("/binaryMediaTypes")
        apply_patches(api, _normalize_compression(operations), _API_PATCHES)
        _check_compression(api.get("minimumCompressionSize"))
        if api.get("apiKeySource") not in ("HEADER", "AUTHORIZER"):
            raise errors.bad_request("Invalid API Key source specified. Valid values are HEADER, AUTHORIZER")
        if not api.get("name"):
            raise errors.bad_request("Name cannot be empty")
        record.api = api
        await self.save_api(ctx, record)
        return api_view(record)

    async def DeleteRestApi(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        await self.apis.delete(ctx.account, ctx.region, record.id)
        for _, _, plan_id, plan in list(self.usage_plans.all()):
            stages = plan.plan.get("apiStages") or []
            kept = [stage for stage in stages if stage.get("apiId") != record.id]
            if len(kept) != len(stages):
                plan.plan["apiStages"] = kept
                await self.usage_plans.put(ctx.account, ctx.region, plan_id, plan)

    # Account ----------------------------------------------------------------------------

    def GetAccount(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.account_settings.get(ctx.account, ctx.region, "account") or {}
        return {
            **stored,
            "throttleSettings": {"burstLimit": ACCOUNT_BURST_LIMIT, "rateLimit": ACCOUNT_RATE_LIMIT},
            "features": ["UsagePlans"],
            "apiKeyVersion": "4",
        }

    async def UpdateAccount(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stored = dict(self.account_settings.get(ctx.account, ctx.region, "account") or {})
        apply_patches(stored, params.get("patchOperations") or [], [PatchField("/cloudwatchRoleArn")])
        await self.account_settings.put(ctx.account, ctx.region, "account", stored)
        return self.GetAccount(ctx, params)


def _normalize_compression(operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for operation in operations:
        if operation.get("path") == "/minimumCompressionSize" and operation.get("value") in ("", None):
            out.append({"op": "remove", "path": "/minimumCompressionSize"})
        else:
            out.append(operation)
    return out
