"""ImportRestApi, PutRestApi (mode overwrite or merge) and GetExport."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.apigateway import errors
from postoffice.services.apigateway.api_restapis import api_view, new_rest_api
from postoffice.services.apigateway.api_stages import SNAPSHOT
from postoffice.services.apigateway.openapi_export import export
from postoffice.services.apigateway.openapi_import import import_into, load_definition
from postoffice.services.apigateway.state import ApiGatewayState


def _body(params: dict[str, Any]) -> bytes:
    body = params.get("body") or b""
    if not isinstance(body, bytes):
        body = body.read() if hasattr(body, "read") else str(body).encode()
    if not body.strip():
        raise errors.bad_request("Invalid OpenAPI input.")
    return body


def _endpoint_types(parameters: dict[str, Any]) -> list[str] | None:
    value = parameters.get("endpointConfigurationTypes")
    if value is None:
        return None
    kinds = [str(item).upper() for item in (value if isinstance(value, list) else [value])]
    for kind in kinds:
        if kind not in ("EDGE", "REGIONAL", "PRIVATE"):
            raise errors.bad_request(f"Invalid endpoint configuration type: {kind}")
    return kinds


class OpenApiOperations(ApiGatewayState):
    async def ImportRestApi(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        body = _body(params)
        definition = load_definition(body)
        title = (definition.document.get("info") or {}).get("title")
        if not title:
            raise errors.bad_request("Invalid OpenAPI input: the API needs a title (info.title)")
        parameters = params.get("parameters") or {}
        request: dict[str, Any] = {"name": str(title)}
        kinds = _endpoint_types(parameters)
        if kinds:
            request["endpointConfiguration"] = {"types": kinds}
        record = new_rest_api(request, self.now())
        warnings = import_into(record, body, overwrite=True, fail_on_warnings=bool(params.get("failOnWarnings")))
        await self.save_api(ctx, record)
        view = api_view(record)
        if warnings:
            view["warnings"] = warnings
        return view

    async def PutRestApi(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.get_api(ctx, params["restApiId"])
        mode = params.get("mode") or "merge"
        if mode not in ("merge", "overwrite"):
            raise errors.bad_request(f"Invalid put mode specified: {mode}. Valid values are merge, overwrite")
        warnings = import_into(record, _body(params), mode == "overwrite", bool(params.get("failOnWarnings")))
        await self.save_api(ctx, record)
        view = api_view(record)
        if warnings:
            view["warnings"] = warnings
        return view

    def GetExport(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        record = self.get_api(ctx, params["restApiId"])
        stage = self.get_stage(record, params["stageName"])
        kind = params["exportType"]
        if kind not in ("oas30", "swagger"):
            raise errors.bad_request(f"Invalid export type specified: {kind}. Valid values are oas30, swagger")
        deployment = record.deployments.get(stage["deploymentId"])
        if deployment is None:
            raise errors.deployment_not_found()
        parameters = params.get("parameters") or {}
        extensions = {part.strip() for part in str(parameters.get("extensions", "")).split(",") if part.strip()}
        document = export(record.api, deployment[SNAPSHOT], stage, ctx.region, kind == "oas30", extensions)
        accepts = (params.get("accepts") or "application/json").lower()
        stamp = dt.datetime.fromtimestamp(self.now(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        name = f"{record.api['name']}-{stage['stageName']}-{kind}-{stamp}"
        if "yaml" in accepts:
            import yaml

            body = yaml.safe_dump(document, sort_keys=False).encode()
            return {
                "contentType": "application/yaml",
                "contentDisposition": f'attachment; filename="{name}.yaml"',
                "body": body,
            }
        body = json.dumps(document, indent=2).encode()
        return {
            "contentType": "application/json",
            "contentDisposition": f'attachment; filename="{name}.json"',
            "body": body,
        }
