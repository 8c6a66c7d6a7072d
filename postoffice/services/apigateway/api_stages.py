"""Deployments (each a frozen copy of the API as it was) and the stages that serve them."""

from __future__ import annotations

import copy
import re
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.apigateway import errors
from postoffice.services.apigateway.defaults import method_setting_defaults
from postoffice.services.apigateway.ids import new_id
from postoffice.services.apigateway.paging import page
from postoffice.services.apigateway.patch import PatchField, apply_patches
from postoffice.services.apigateway.state import ApiGatewayState, Doc, RestApiRecord

SNAPSHOT = "_snapshot"
_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_STAGE_PATCHES = [
    PatchField("/deploymentId", ops=("replace",)),
    PatchField("/description"),
    PatchField("/cacheClusterEnabled", "bool", ops=("replace",)),
    PatchField("/cacheClusterSize", ops=("replace",)),
    PatchField("/clientCertificateId"),
    PatchField("/documentationVersion"),
    PatchField("/tracingEnabled", "bool", ops=("replace",)),
    PatchField("/webAclArn"),
    PatchField("/variables/*"),
    PatchField("/accessLogSettings/destinationArn"),
    PatchField("/accessLogSettings/format"),
    PatchField("/canarySettings/percentTraffic", "float"),
    PatchField("/canarySettings/deploymentId"),
    PatchField("/canarySettings/useStageCache", "bool"),
    PatchField("/canarySettings/stageVariableOverrides/*"),
]
_SETTINGS = {
    "metrics/enabled": ("metricsEnabled", "bool"),
    "logging/loglevel": ("loggingLevel", "str"),
    "logging/dataTrace": ("dataTraceEnabled", "bool"),
    "throttling/burstLimit": ("throttlingBurstLimit", "int"),
    "throttling/rateLimit": ("throttlingRateLimit", "float"),
    "caching/enabled": ("cachingEnabled", "bool"),
    "caching/ttlInSeconds": ("cacheTtlInSeconds", "int"),
    "caching/dataEncrypted": ("cacheDataEncrypted", "bool"),
    "caching/requireAuthorizationForCacheControl": ("requireAuthorizationForCacheControl", "bool"),
    "caching/unauthorizedCacheControlHeaderStrategy": ("unauthorizedCacheControlHeaderStrategy", "str"),
}


def snapshot(record: RestApiRecord) -> Doc:
    return {
        "resources": copy.deepcopy(record.resources),
        "models": copy.deepcopy(record.models),
        "validators": copy.deepcopy(record.validators),
        "authorizers": copy.deepcopy(record.authorizers),
        "gatewayResponses": copy.deepcopy(record.gateway_responses),
        "apiKeySource": record.api.get("apiKeySource", "HEADER"),
        "binaryMediaTypes": list(record.api.get("binaryMediaTypes") or []),
    }


def api_summary(record: RestApiRecord) -> dict[str, dict[str, Doc]]:
    summary: dict[str, dict[str, Doc]] = {}
    for resource in record.resources.values():
        for name, method in (resource.get("resourceMethods") or {}).items():
            summary.setdefault(resource["path"], {})[name] = {
                "authorizationType": method.get("authorizationType", "NONE"),
                "apiKeyRequired": bool(method.get("apiKeyRequired")),
            }
    return summary


def deployment_view(deployment: Doc, embed_summary: bool = True) -> Doc:
    view = {key: copy.deepcopy(value) for key, value in deployment.items() if not key.startswith("_")}
    if not embed_summary:
        view.pop("apiSummary", None)
    return view


def stage_view(stage: Doc) -> Doc:
    view = copy.deepcopy(stage)
    if not view.get("variables"):
        view.pop("variables", None)
    return view


def _check_deployable(record: RestApiRecord) -> None:
    methods = [
        method for resource in record.resources.values() for method in (resource.get("resourceMethods") or {}).values()
    ]
    if not methods:
        raise errors.bad_request("The REST API doesn't contain any methods")
    if any("methodIntegration" not in method for method in methods):
        raise errors.bad_request("No integration defined for method")


def _method_setting_patch(stage: Doc, operation: dict[str, Any]) -> bool:
    """`/{resourcePath}/{httpMethod}/throttling/rateLimit` and friends; False if not one."""
    path = operation.get("path") or ""
    parts = path.strip("/").split("/")
    if len(parts) < 3:
        return False
    key = "/".join(parts[:2])
    setting = "/".join(parts[2:])
    settings = stage.setdefault("methodSettings", {})
    if setting not in _SETTINGS:
        if parts[0] in ("variables", "accessLogSettings", "canarySettings"):
            return False
        raise errors.bad_request(f"Invalid method setting path: {path}")
    name, kind = _SETTINGS[setting]
    entry = settings.setdefault(key, method_setting_defaults())
    if operation.get("op") == "remove":
        entry[name] = method_setting_defaults()[name]
        return True
    value = operation.get("value")
    try:
        if kind == "bool":
            converted: Any = str(value).lower() == "true"
        elif kind == "int":
            converted = int(float(str(value)))
        elif kind == "float":
            converted = float(str(value))
        else:
            converted = value
    except ValueError:
        raise errors.bad_request(f"Invalid method setting value {value} for {path}") from None
    entry[name] = converted
    return True


class StageOperations(ApiGatewayState):
    # Deployments ------------------------------------------------------------------------

    def _deployment(self, record: RestApiRecord, deployment_id: str) -> Doc:
        deployment = record.deployments.get(deployment_id)
        if deployment is None:
            raise errors.deployment_not_found()
        return deployment

    async def CreateDeployment(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        _check_deployable(record)
        stage_name = params.get("stageName")
        if stage_name is not None and not _STAGE_NAME.match(stage_name):
            raise errors.bad_request("Stage name only allows a-zA-Z0-9_")
        deployment: Doc = {"id": new_id(), "createdDate": self.now(), "apiSummary": api_summary(record)}
        if params.get("description") is not None:
            deployment["description"] = params["description"]
        deployment[SNAPSHOT] = snapshot(record)
        record.deployments[deployment["id"]] = deployment
        if stage_name:
            stage = record.stages.get(stage_name)
            if stage is None:
                stage = self._new_stage(stage_name, deployment["id"], params.get("stageDescription"))
                record.stages[stage_name] = stage
            stage["deploymentId"] = deployment["id"]
            if params.get("variables"):
                stage.setdefault("variables", {}).update(params["variables"])
            for key in ("cacheClusterEnabled", "cacheClusterSize", "tracingEnabled"):
                if params.get(key) is not None:
                    stage[key] = params[key]
            stage["lastUpdatedDate"] = self.now()
        await self.save_api(ctx, record)
        return deployment_view(deployment, embed_summary=False)

    def GetDeployment(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        deployment = self._deployment(record, params["deploymentId"])
        return deployment_view(deployment, "apisummary" in (params.get("embed") or []))

    def GetDeployments(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        items = sorted(record.deployments.values(), key=lambda deployment: deployment["createdDate"])
        return page([deployment_view(item, embed_summary=False) for item in items], params)

    async def UpdateDeployment(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        deployment = self._deployment(record, params["deploymentId"])
        apply_patches(deployment, params.get("patchOperations") or [], [PatchField("/description")])
        await self.save_api(ctx, record)
        return deployment_view(deployment, embed_summary=False)

    async def DeleteDeployment(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        deployment = self._deployment(record, params["deploymentId"])
        if any(stage.get("deploymentId") == deployment["id"] for stage in record.stages.values()):
            raise errors.bad_request("Active stages pointing to this deployment must be moved or deleted")
        del record.deployments[deployment["id"]]
        await self.save_api(ctx, record)

    # Stages -----------------------------------------------------------------------------

    def _new_stage(self, name: str, deployment_id: str, description: str | None) -> Doc:
        now = self.now()
        stage: Doc = {
            "deploymentId": deployment_id,
            "stageName": name,
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {},
            "tracingEnabled": False,
            "createdDate": now,
            "lastUpdatedDate": now,
        }
        if description is not None:
            stage["description"] = description
        return stage

    async def CreateStage(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        name = params["stageName"]
        if not _STAGE_NAME.match(name or ""):
            raise errors.bad_request("Stage name only allows a-zA-Z0-9_")
        self._deployment(record, params["deploymentId"])
        if name in record.stages:
            raise errors.conflict("Stage already exists")
        stage = self._new_stage(name, params["deploymentId"], params.get("description"))
        for key in ("cacheClusterEnabled", "cacheClusterSize", "tracingEnabled", "documentationVersion", "tags"):
            if params.get(key) is not None:
                stage[key] = copy.deepcopy(params[key])
        if params.get("variables"):
            stage["variables"] = dict(params["variables"])
        if params.get("canarySettings"):
            stage["canarySettings"] = copy.deepcopy(params["canarySettings"])
        record.stages[name] = stage
        await self.save_api(ctx, record)
        return stage_view(stage)

    def GetStage(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        return stage_view(self.get_stage(record, params["stageName"]))

    def GetStages(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        stages = [
            stage_view(stage)
            for stage in record.stages.values()
            if not params.get("deploymentId") or stage["deploymentId"] == params["deploymentId"]
        ]
        return {"item": stages}

    async def UpdateStage(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_api(ctx, params["restApiId"])
        stage = copy.deepcopy(self.get_stage(record, params["stageName"]))
        plain = []
        for operation in params.get("patchOperations") or []:
            path = operation.get("path") or ""
            if path.strip("/") == "*/*" and operation.get("op") == "remove":
                if stage.get("methodSettings", {}).pop("*/*", None) is None:
                    raise errors.bad_request(
                        "Cannot remove method setting */* because there is no method setting for this method "
                    )
                continue
            if not _method_setting_patch(stage, operation):
                plain.append(operation)
        apply_patches(stage, plain, _STAGE_PATCHES)
        self._deployment(record, stage["deploymentId"])
        stage["lastUpdatedDate"] = self.now()
        record.stages[stage["stageName"]] = stage
        await self.save_api(ctx, record)
        return stage_view(stage)

    async def DeleteStage(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        self.get_stage(record, params["stageName"])
        del record.stages[params["stageName"]]
        await self.save_api(ctx, record)

    def FlushStageAuthorizersCache(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        self.get_stage(record, params["stageName"])
        self.authorizer_cache_flush(record.id, params["stageName"])

    def FlushStageCache(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        record = self.get_api(ctx, params["restApiId"])
        self.get_stage(record, params["stageName"])

    def authorizer_cache_flush(self, api_id: str, stage: str) -> None:
        """Overridden by the service: drop cached authorizer answers for a stage."""


def method_setting_key(resource_path: str, http_method: str) -> str:
    """The methodSettings key for a method, as UpdateStage's patch paths write it: `~1orders~1{id}/GET`."""
    return f"{resource_path.replace('/', '~1')}/{http_method}"
