"""Event bus operations: create, describe, list, update, delete, the bus policy, and tags."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from postoffice.protocol.context import RequestContext
from postoffice.services.events import errors
from postoffice.services.events.arns import DEFAULT_BUS, BusRef, bus_arn, parse_arn, parse_rule_arn
from postoffice.services.events.models import EventBus, Rule
from postoffice.services.events.paging import page
from postoffice.services.events.policy import put_permission, remove_permission
from postoffice.services.events.state import EventsState


def describe_bus(bus: EventBus, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": bus.name, "Arn": bus.arn}
    if bus.description:
        out["Description"] = bus.description
    if full and bus.kms_key:
        out["KmsKeyIdentifier"] = bus.kms_key
    if full and bus.dead_letter_arn:
        out["DeadLetterConfig"] = {"Arn": bus.dead_letter_arn}
    if bus.policy:
        out["Policy"] = orjson.dumps(bus.policy).decode()
    if full and bus.log_config:
        out["LogConfig"] = bus.log_config
    out["CreationTime"] = bus.created
    out["LastModifiedTime"] = bus.modified
    return out


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


class BusOperations(EventsState):
    async def CreateEventBus(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        await self.ensure_default_bus(ctx.account, ctx.region)
        if self.buses.get(ctx.account, ctx.region, name) is not None:
            raise errors.already_exists(f"Event bus {name} already exists.")
        source = params.get("EventSourceName")
        if source:
            raise errors.not_found(f"Event source {source} does not exist.")
        if "/" in name:
            raise errors.validation("Event bus name must not contain '/'.")
        _check_unique_tags(params.get("Tags") or [])
        now = self.system.clock.now()
        bus = EventBus(
            name=name,
            arn=bus_arn(ctx.region, ctx.account, name),
            created=now,
            modified=now,
            description=params.get("Description"),
            kms_key=params.get("KmsKeyIdentifier"),
            dead_letter_arn=(params.get("DeadLetterConfig") or {}).get("Arn"),
            log_config=params.get("LogConfig"),
            tags={tag["Key"]: tag["Value"] for tag in params.get("Tags") or []},
        )
        await self.buses.put(ctx.account, ctx.region, name, bus)
        out: dict[str, Any] = {"EventBusArn": bus.arn}
        for field in ("Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig"):
            if params.get(field) is not None:
                out[field] = params[field]
        return out

    async def DescribeEventBus(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = await self.bus_ref(params.get("Name"), ctx.account, ctx.region)
        return describe_bus(self.get_bus(ref))

    async def ListEventBuses(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self.ensure_default_bus(ctx.account, ctx.region)
        prefix = params.get("NamePrefix") or ""
        buses = [bus for bus in self.buses.list(ctx.account, ctx.region) if bus.name.startswith(prefix)]
        chosen, token = page(buses, lambda bus: bus.name, params.get("Limit"), params.get("NextToken"))
        out: dict[str, Any] = {"EventBuses": [describe_bus(bus, full=False) for bus in chosen]}
        if token:
            out["NextToken"] = token
        return out

    async def UpdateEventBus(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = await self.bus_ref(params.get("Name"), ctx.account, ctx.region)
        bus = self.get_bus(ref)
        changes: dict[str, Any] = {"modified": self.system.clock.now()}
        if "Description" in params:
            changes["description"] = params["Description"] or None
        if "KmsKeyIdentifier" in params:
            changes["kms_key"] = params["KmsKeyIdentifier"] or None
        if "DeadLetterConfig" in params:
            changes["dead_letter_arn"] = (params["DeadLetterConfig"] or {}).get("Arn")
        if "LogConfig" in params:
            changes["log_config"] = params["LogConfig"]
        bus = dataclasses.replace(bus, **changes)
        await self.buses.put(ref.account, ref.region, ref.name, bus)
        shown = ("Arn", "Name", "Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")
        return {key: value for key, value in describe_bus(bus).items() if key in shown}

    async def DeleteEventBus(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        name = params["Name"]
        if name == DEFAULT_BUS:
            raise errors.validation("Cannot delete event bus default.")
        ref = BusRef(ctx.account, ctx.region, name)
        if self.find_bus(ref) is None:
            return
        for rule in self.bus_rules(ref):
            await self.drop_rule(ref, rule)
        await self.buses.delete(ctx.account, ctx.region, name)

    async def PutPermission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref = await self.bus_ref(params.get("EventBusName"), ctx.account, ctx.region)
        bus = self.get_bus(ref)
        policy = put_permission(bus.policy, bus.arn, params)
        await self.buses.put(ref.account, ref.region, ref.name, dataclasses.replace(bus, policy=policy))

    async def RemovePermission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref = await self.bus_ref(params.get("EventBusName"), ctx.account, ctx.region)
        bus = self.get_bus(ref)
        policy = remove_permission(bus.policy, params)
        await self.buses.put(ref.account, ref.region, ref.name, dataclasses.replace(bus, policy=policy))

    async def TagResource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        tags = params["Tags"]
        _check_unique_tags(tags)
        added = {tag["Key"]: tag["Value"] for tag in tags}
        await self._retag(ctx, params["ResourceARN"], lambda current: {**current, **added})
        return {}

    async def UntagResource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        keys = set(params["TagKeys"])
        await self._retag(
            ctx, params["ResourceARN"], lambda current: {k: v for k, v in current.items() if k not in keys}
        )
        return {}

    async def ListTagsForResource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        resource = await self._tagged(ctx, params["ResourceARN"])
        return {"Tags": tag_list(resource.tags)}

    async def _tagged(self, ctx: RequestContext, arn: str) -> EventBus | Rule:
        parsed = parse_arn(arn)
        if parsed is not None and parsed.service == "events" and parsed.resource_type == "event-bus":
            ref = await self.bus_ref(arn, ctx.account, ctx.region)
            return self.get_bus(ref)
        rule = parse_rule_arn(arn)
        if rule is not None:
            account, region, bus, name = rule
            ref = await self.bus_ref(bus, account or ctx.account, region or ctx.region)
            self.get_bus(ref)
            return self.get_rule(ref, name)
        raise errors.validation(f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.")

    async def _retag(self, ctx: RequestContext, arn: str, change: Any) -> None:
        resource = await self._tagged(ctx, arn)
        if isinstance(resource, EventBus):
            ref = await self.bus_ref(arn, ctx.account, ctx.region)
            await self.buses.put(
                ref.account, ref.region, ref.name, dataclasses.replace(resource, tags=change(resource.tags))
            )
            return
        if resource.managed_by:
            raise errors.managed_rule(resource.name)
        account, region, bus, _ = parse_rule_arn(arn)  # type: ignore[misc]
        ref = BusRef(account or ctx.account, region or ctx.region, bus)
        await self.save_rule(ref, dataclasses.replace(resource, tags=change(resource.tags)))


def _check_unique_tags(tags: list[dict[str, str]]) -> None:
    keys = [tag["Key"] for tag in tags]
    if len(set(keys)) != len(keys):
        raise errors.validation("Invalid parameter: Duplicated keys are not allowed.")
