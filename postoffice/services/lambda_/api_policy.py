"""Resource-based policies (AddPermission, RemovePermission, GetPolicy) and tags."""

from __future__ import annotations

import re
from typing import Any

import orjson

from postoffice.protocol.context import RequestContext
from postoffice.services.lambda_ import names
from postoffice.services.lambda_.errors import conflict, function_not_found, invalid, not_found, precondition_failed
from postoffice.services.lambda_.records import LATEST, Function, Mapping
from postoffice.services.lambda_.state import LambdaState, new_revision
from postoffice.services.lambda_.validation import check_revision

_ACCOUNT = re.compile(r"^\d{12}$")
_MAPPING_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):event-source-mapping:([0-9a-f-]+)$")


def _principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if _ACCOUNT.match(principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn"):
        return {"Service": principal}
    return {"AWS": principal}


def _statement(params: dict[str, Any], resource: str) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": params["StatementId"],
        "Effect": "Allow",
        "Principal": _principal(params["Principal"]),
        "Action": params["Action"],
        "Resource": resource,
    }
    condition: dict[str, dict[str, str]] = {}
    if params.get("SourceArn"):
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = params["SourceArn"]
    if params.get("SourceAccount"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = params["SourceAccount"]
    if params.get("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
    if params.get("EventSourceToken"):
        condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = params["EventSourceToken"]
    if params.get("FunctionUrlAuthType"):
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
    if params.get("InvokedViaFunctionUrl"):
        condition.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = "true"
    if condition:
        statement["Condition"] = condition
    return statement


class PolicyOperations(LambdaState):
    async def AddPermission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
            key = self._policy_key(function, ref.qualifier)
            current = function.policy_revisions.get(key) or function.latest.revision_id
            check_revision(params.get("RevisionId"), current, precondition_failed("GetPolicy"))
            statements = function.policies.setdefault(key, [])
            sid = params["StatementId"]
            if any(item["Sid"] == sid for item in statements):
                raise conflict(
                    f"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove "
                    "the existing statement."
                )
            resource = function.arn if key == "" else f"{function.arn}:{key}"
            statement = _statement(params, resource)
            statements.append(statement)
            function.policy_revisions[key] = new_revision()
            await self.save(function)
        return {"Statement": orjson.dumps(statement).decode()}

    async def RemovePermission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
            key = self._policy_key(function, ref.qualifier)
            current = function.policy_revisions.get(key) or function.latest.revision_id
            check_revision(params.get("RevisionId"), current, precondition_failed("GetPolicy"))
            statements = function.policies.get(key) or []
            sid = params["StatementId"]
            kept = [item for item in statements if item["Sid"] != sid]
            if len(kept) == len(statements):
                raise not_found(f"Statement {sid} is not found in resource policy.")
            if kept:
                function.policies[key] = kept
            else:
                function.policies.pop(key, None)
            function.policy_revisions[key] = new_revision()
            await self.save(function)

    def GetPolicy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
        key = self._policy_key(function, ref.qualifier)
        statements = function.policies.get(key)
        if not statements:
            raise not_found()
        policy = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
        revision = function.policy_revisions.get(key) or function.latest.revision_id
        return {"Policy": orjson.dumps(policy).decode(), "RevisionId": revision}

    def _policy_key(self, function: Function, qualifier: str | None) -> str:
        if qualifier is None:
            return ""
        if qualifier == LATEST:
            return LATEST
        self.version_of(function, qualifier)
        return qualifier

    # Tags -----------------------------------------------------------------------------------

    async def TagResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        async with self.writing:
            target = self._tagged(ctx, params["Resource"])
            target.tags.update(params["Tags"])
            await self._save_tagged(target)

    async def UntagResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        async with self.writing:
            target = self._tagged(ctx, params["Resource"])
            for key in params["TagKeys"]:
                target.tags.pop(key, None)
            await self._save_tagged(target)

    def ListTags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"Tags": dict(self._tagged(ctx, params["Resource"]).tags)}

    def _tagged(self, ctx: RequestContext, resource: str) -> Function | Mapping:
        found = _MAPPING_ARN.match(resource)
        if found:
            region, account, uuid_ = found.groups()
            mapping = self.mappings.get(account, region, uuid_)
            if mapping is None:
                raise not_found()
            return mapping
        ref = names.resolve(ctx, resource)
        if ref.qualifier is not None:
            raise invalid("Tags on function aliases and versions are not supported. Please specify a function ARN.")
        function = self.find_function(ref)
        if function is None:
            raise function_not_found(ref.arn)
        return function

    async def _save_tagged(self, target: Function | Mapping) -> None:
        if isinstance(target, Function):
            await self.save(target)
        else:
            await self.mappings.put(target.account, target.region, target.uuid, target)
