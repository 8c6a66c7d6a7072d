"""API keys, usage plans and their keys, usage, and tags on every taggable resource."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.apigateway import errors
from postoffice.services.apigateway.ids import new_api_key_value, new_id
from postoffice.services.apigateway.paging import page
from postoffice.services.apigateway.patch import PatchField, apply_patches
from postoffice.services.apigateway.state import ApiGatewayState, Doc, UsagePlanRecord
from postoffice.services.apigateway.usage import UsageMeter

_KEY_PATCHES = [
    PatchField("/name", ops=("replace",)),
    PatchField("/description"),
    PatchField("/enabled", "bool", ops=("replace",)),
    PatchField("/customerId"),
    PatchField("/stages", ops=("add", "remove")),
]
_PLAN_PATCHES = [
    PatchField("/name", ops=("replace",)),
    PatchField("/description"),
    PatchField("/productCode"),
    PatchField("/throttle/burstLimit", "int"),
    PatchField("/throttle/rateLimit", "float"),
    PatchField("/throttle", "json", ops=("remove",)),
    PatchField("/quota/limit", "int"),
    PatchField("/quota/offset", "int"),
    PatchField("/quota/period"),
    PatchField("/quota", "json", ops=("remove",)),
]
_TAGGABLE = re.compile(
    r"^arn:aws[a-z-]*:apigateway:([a-z0-9-]+)::/(restapis/([^/]+)(?:/stages/([^/]+))?|apikeys/([^/]+)|usageplans/([^/]+))$"
)


def key_view(key: Doc, include_value: bool) -> Doc:
    view = copy.deepcopy(key)
    if not include_value:
        view.pop("value", None)
    return view


def plan_view(plan: UsagePlanRecord) -> Doc:
    return copy.deepcopy(plan.plan)


def _check_throttle(throttle: Doc | None) -> None:
    if not throttle:
        return
    if throttle.get("rateLimit") is not None and throttle["rateLimit"] < 0:
        raise errors.bad_request("Rate limit must be non-negative")
    if throttle.get("burstLimit") is not None and throttle["burstLimit"] < 0:
        raise errors.bad_request("Burst limit must be non-negative")


def _check_quota(quota: Doc | None) -> None:
    if not quota:
        return
    if quota.get("period") not in ("DAY", "WEEK", "MONTH"):
        raise errors.bad_request("Quota period must be one of DAY, WEEK, MONTH")
    if quota.get("limit") is None or quota["limit"] < 0:
        raise errors.bad_request("Quota limit must be a non-negative integer")
    offset = quota.get("offset") or 0
    maximum = {"DAY": 0, "WEEK": 6, "MONTH": 27}[quota["period"]]
    if not 0 <= offset <= maximum:
        raise errors.bad_request(f"Quota offset must be between 0 and {maximum} for period {quota['period']}")


class KeyOperations(ApiGatewayState):
    usage: UsageMeter

    # API keys ---------------------------------------------------------------------------

    async def CreateApiKey(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        value = params.get("value")
        if value is not None and len(value) < 20:
            raise errors.bad_request("API Key value should be at least 20 characters")
        if value is not None and any(key.get("value") == value for key in self.api_keys.list(ctx.account, ctx.region)):
            raise errors.conflict("API Key already exists")
        now = self.now()
        key: Doc = {
            "id": new_id(10),
            "value": value or new_api_key_value(),
            "name": params.get("name") or "",
            "enabled": bool(params.get("enabled", False)),
            "createdDate": now,
            "lastUpdatedDate": now,
            "stageKeys": [],
        }
        for name in ("description", "customerId", "tags"):
            if params.get(name) is not None:
                key[name] = copy.deepcopy(params[name])
        for stage_key in params.get("stageKeys") or []:
            record = self.get_api(ctx, stage_key.get("restApiId", ""))
            self.get_stage(record, stage_key.get("stageName", ""))
            key["stageKeys"].append(f"{record.id}/{stage_key['stageName']}")
        if not key["name"]:
            key["name"] = key["id"]
        await self.api_keys.put(ctx.account, ctx.region, key["id"], key)
        return key_view(key, True)

    async def ImportApiKeys(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        body = params.get("body") or b""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            raise errors.bad_request("Invalid API keys file: no header line")
        header = [cell.strip().lower() for cell in lines[0].split(",")]
        if "key" not in header and "value" not in header:
            raise errors.bad_request("Invalid API keys file: missing key column")
        ids = []
        for line in lines[1:]:
            cells = dict(zip(header, (cell.strip() for cell in line.split(",")), strict=False))
            created = await self.CreateApiKey(
                ctx,
                {
                    "name": cells.get("name"),
                    "value": cells.get("key") or cells.get("value"),
                    "description": cells.get("description"),
                    "enabled": cells.get("enabled", "false").lower() == "true",
                },
            )
            ids.append(created["id"])
            for plan_id in filter(None, (cells.get("usageplanids") or "").split(":")):
                await self.CreateUsagePlanKey(
                    ctx, {"usagePlanId": plan_id, "keyId": created["id"], "keyType": "API_KEY"}
                )
        return {"ids": ids, "warnings": []}

    def GetApiKey(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        return key_view(self.get_api_key(ctx, params["apiKey"]), bool(params.get("includeValue")))

    def GetApiKeys(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        keys = sorted(self.api_keys.list(ctx.account, ctx.region), key=lambda key: key["createdDate"])
        if params.get("nameQuery"):
            keys = [key for key in keys if key.get("name", "").startswith(params["nameQuery"])]
        if params.get("customerId"):
            keys = [key for key in keys if key.get("customerId") == params["customerId"]]
        include = bool(params.get("includeValues"))
        return page([key_view(key, include) for key in keys], params)

    async def UpdateApiKey(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        key = copy.deepcopy(self.get_api_key(ctx, params["apiKey"]))
        plain = []
        for operation in params.get("patchOperations") or []:
            if operation.get("path") == "/stages":
                stage_key = operation.get("value") or ""
                if operation.get("op") == "add":
                    api_id, _, stage = stage_key.partition("/")
                    self.get_stage(self.get_api(ctx, api_id), stage)
                    if stage_key not in key["stageKeys"]:
                        key["stageKeys"].append(stage_key)
                elif operation.get("op") == "remove":
                    key["stageKeys"] = [item for item in key["stageKeys"] if item != stage_key]
                else:
                    raise errors.bad_request(
                        "Invalid patch path  '/stages' specified for op 'replace'. Please choose supported operations"
                    )
            else:
                plain.append(operation)
        apply_patches(key, plain, _KEY_PATCHES)
        key["lastUpdatedDate"] = self.now()
        await self.api_keys.put(ctx.account, ctx.region, key["id"], key)
        return key_view(key, False)

    async def DeleteApiKey(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        key = self.get_api_key(ctx, params["apiKey"])
        await self.api_keys.delete(ctx.account, ctx.region, key["id"])
        for _, _, plan_id, plan in list(self.usage_plans.all()):
            if key["id"] in plan.keys:
                plan.keys.remove(key["id"])
                await self.usage_plans.put(ctx.account, ctx.region, plan_id, plan)

    # Usage plans ------------------------------------------------------------------------

    def _check_api_stages(self, ctx: RequestContext, stages: list[Doc]) -> None:
        for stage in stages:
            record = self.apis.get(ctx.account, ctx.region, stage.get("apiId", ""))
            if record is None or stage.get("stage") not in record.stages:
                described = f"{{api: {stage.get('apiId')}, stage: {stage.get('stage')}}}"
                raise errors.bad_request(f"Invalid API Stage {described} specified for usageplan")

    async def CreateUsagePlan(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        stages = copy.deepcopy(params.get("apiStages") or [])
        self._check_api_stages(ctx, stages)
        _check_throttle(params.get("throttle"))
        _check_quota(params.get("quota"))
        plan: Doc = {"id": new_id(), "name": params["name"], "apiStages": stages}
        for name in ("description", "throttle", "quota", "tags"):
            if params.get(name) is not None:
                plan[name] = copy.deepcopy(params[name])
        if "quota" in plan:
            plan["quota"].setdefault("offset", 0)
        record = UsagePlanRecord(plan)
        await self.usage_plans.put(ctx.account, ctx.region, plan["id"], record)
        return plan_view(record)

    def GetUsagePlan(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        return plan_view(self.get_usage_plan(ctx, params["usagePlanId"]))

    def GetUsagePlans(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        plans = self.usage_plans.list(ctx.account, ctx.region)
        if params.get("keyId"):
            plans = [plan for plan in plans if params["keyId"] in plan.keys]
        return page([plan_view(plan) for plan in plans], params)

    async def UpdateUsagePlan(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        record = self.get_usage_plan(ctx, params["usagePlanId"])
        plan = copy.deepcopy(record.plan)
        plain = []
        for operation in params.get("patchOperations") or []:
            path = operation.get("path") or ""
            if path == "/apiStages":
                api_id, _, stage = (operation.get("value") or "").partition(":")
                if operation.get("op") == "add":
                    self._check_api_stages(ctx, [{"apiId": api_id, "stage": stage}])
                    plan.setdefault("apiStages", []).append({"apiId": api_id, "stage": stage})
                elif operation.get("op") == "remove":
                    plan["apiStages"] = [
                        item for item in plan.get("apiStages", []) if (item["apiId"], item["stage"]) != (api_id, stage)
                    ]
                else:
                    raise errors.bad_request(
                        "Invalid patch path  '/apiStages' specified for op 'replace'. "
                        "Please choose supported operations"
                    )
            elif path.startswith("/apiStages/"):
                self._patch_stage_throttle(plan, operation)
            else:
                plain.append(operation)
        apply_patches(plan, plain, _PLAN_PATCHES)
        _check_throttle(plan.get("throttle"))
        _check_quota(plan.get("quota"))
        record.plan = plan
        await self.usage_plans.put(ctx.account, ctx.region, plan["id"], record)
        return plan_view(record)

    @staticmethod
    def _patch_stage_throttle(plan: Doc, operation: dict[str, Any]) -> None:
        """`/apiStages/<apiId>:<stage>/throttle/<resourcePath>/<method>/rateLimit`."""
        parts = (operation.get("path") or "").strip("/").split("/")
        if len(parts) < 3 or parts[2] != "throttle":
            raise errors.invalid_patch_path(operation.get("path") or "")
        api_id, _, stage = parts[1].partition(":")
        target = next(
            (item for item in plan.get("apiStages", []) if (item["apiId"], item["stage"]) == (api_id, stage)), None
        )
        if target is None:
            raise errors.not_found(f"Invalid API stage {parts[1]} specified for usage plan")
        throttle = target.setdefault("throttle", {})
        if len(parts) == 3:
            if operation.get("op") == "remove":
                target.pop("throttle", None)
            return
        method_key = "/".join(parts[3:5])
        if operation.get("op") == "remove":
            throttle.pop(method_key, None)
            return
        if len(parts) != 6 or parts[5] not in ("rateLimit", "burstLimit"):
            raise errors.invalid_patch_path(operation.get("path") or "")
        value = operation.get("value") or "0"
        entry = throttle.setdefault(method_key, {})
        entry[parts[5]] = float(value) if parts[5] == "rateLimit" else int(float(value))

    async def DeleteUsagePlan(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        plan = self.get_usage_plan(ctx, params["usagePlanId"])
        await self.usage_plans.delete(ctx.account, ctx.region, plan.plan["id"])

    # Usage plan keys --------------------------------------------------------------------

    def _plan_key_view(self, ctx: RequestContext, key_id: str) -> Doc:
        key = self.get_api_key(ctx, key_id)
        return {"id": key["id"], "type": "API_KEY", "value": key["value"], "name": key.get("name", "")}

    async def CreateUsagePlanKey(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        plan = self.get_usage_plan(ctx, params["usagePlanId"])
        if params.get("keyType") != "API_KEY":
            raise errors.bad_request("Invalid key type specified. Valid values are API_KEY")
        view = self._plan_key_view(ctx, params["keyId"])
        if view["id"] in plan.keys:
            raise errors.conflict(f"Usage Plan {plan.plan['id']} already contains API Key {view['id']}")
        stages = {(item["apiId"], item["stage"]) for item in plan.plan.get("apiStages", [])}
        for _, _, other_id, other in self.usage_plans.all():
            if other_id == plan.plan["id"] or view["id"] not in other.keys:
                continue
            shared = stages & {(item["apiId"], item["stage"]) for item in other.plan.get("apiStages", [])}
            if shared:
                raise errors.conflict(
                    f"Usage Plan {plan.plan['id']} cannot be added because API Key {view['id']} cannot reference "
                    "multiple Usage Plans with the same API Stage"
                )
        plan.keys.append(view["id"])
        await self.usage_plans.put(ctx.account, ctx.region, plan.plan["id"], plan)
        return view

    def GetUsagePlanKey(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        plan = self.get_usage_plan(ctx, params["usagePlanId"])
        if params["keyId"] not in plan.keys:
            raise errors.not_found("Invalid Usage Plan Key identifier specified")
        return self._plan_key_view(ctx, params["keyId"])

    def GetUsagePlanKeys(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        plan = self.get_usage_plan(ctx, params["usagePlanId"])
        views = [
            self._plan_key_view(ctx, key_id)
            for key_id in plan.keys
            if self.api_keys.get(ctx.account, ctx.region, key_id)
        ]
        if params.get("nameQuery"):
            views = [view for view in views if view["name"].startswith(params["nameQuery"])]
        return page(views, params)

    async def DeleteUsagePlanKey(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        plan = self.get_usage_plan(ctx, params["usagePlanId"])
        if params["keyId"] not in plan.keys:
            raise errors.not_found("Invalid Usage Plan Key identifier specified")
        plan.keys.remove(params["keyId"])
        await self.usage_plans.put(ctx.account, ctx.region, plan.plan["id"], plan)

    def GetUsage(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        plan = self.get_usage_plan(ctx, params["usagePlanId"])
        try:
            start = dt.date.fromisoformat(params["startDate"])
            end = dt.date.fromisoformat(params["endDate"])
        except ValueError:
            raise errors.bad_request("Invalid date format. Expected yyyy-MM-dd") from None
        if end < start:
            raise errors.bad_request("The end date must be after the start date")
        keys = [params["keyId"]] if params.get("keyId") else list(plan.keys)
        quota = plan.plan.get("quota")
        items = {}
        for key_id in keys:
            days = []
            day = start
            while day <= end:
                used = self.usage.used_on(plan.plan["id"], key_id, day)
                remaining = (
                    quota["limit"] - self.usage.used_in_period(plan.plan["id"], key_id, quota, day) if quota else 0
                )
                days.append([used, max(remaining, 0)])
                day += dt.timedelta(days=1)
            items[key_id] = days
        return {
            "usagePlanId": plan.plan["id"],
            "startDate": params["startDate"],
            "endDate": params["endDate"],
            "items": items,
        }

    # Tags -------------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[Doc, Any]:
        match = _TAGGABLE.match(arn or "")
        if match is None:
            raise errors.bad_request(f"Invalid resource ARN specified: {arn}")
        _, _, api_id, stage, key_id, plan_id = match.groups()
        if api_id is not None:
            record = self.get_api(ctx, api_id)
            if stage is not None:
                return self.get_stage(record, stage), ("api", record)
            return record.api, ("api", record)
        if key_id is not None:
            return self.get_api_key(ctx, key_id), ("key", key_id)
        plan = self.get_usage_plan(ctx, plan_id)
        return plan.plan, ("plan", plan)

    async def _save_tagged(self, ctx: RequestContext, owner: Any, target: Doc) -> None:
        kind, value = owner
        if kind == "api":
            await self.save_api(ctx, value)
        elif kind == "key":
            await self.api_keys.put(ctx.account, ctx.region, value, target)
        else:
            await self.usage_plans.put(ctx.account, ctx.region, value.plan["id"], value)

    async def TagResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target, owner = self._tagged(ctx, params["resourceArn"])
        tags = target.setdefault("tags", {})
        tags.update(params.get("tags") or {})
        if len(tags) > 50:
            raise errors.bad_request("Too many tags: a resource can have at most 50 tags")
        await self._save_tagged(ctx, owner, target)

    async def UntagResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target, owner = self._tagged(ctx, params["resourceArn"])
        tags = target.setdefault("tags", {})
        for key in params.get("tagKeys") or []:
            tags.pop(key, None)
        await self._save_tagged(ctx, owner, target)

    def GetTags(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        target, _ = self._tagged(ctx, params["resourceArn"])
        return {"tags": dict(target.get("tags") or {})}
