"""Rule and target operations, and TestEventPattern."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from postoffice.protocol.context import RequestContext
from postoffice.services.events import errors
from postoffice.services.events.arns import DEFAULT_BUS, BusRef, parse_arn, rule_arn
from postoffice.services.events.models import Rule, rule_key
from postoffice.services.events.paging import page
from postoffice.services.events.patterns import compile_event_pattern
from postoffice.services.events.schedule import INVALID as INVALID_SCHEDULE
from postoffice.services.events.schedule import ScheduleError, parse_schedule
from postoffice.services.events.state import EventsState
from postoffice.services.events.targets import SQS, kind_of, unavailable_reason
from postoffice.services.events.transformer import input_error

MAX_RULES_PER_BUS = 300
MAX_TARGETS_PER_RULE = 5
TEST_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def describe_rule(rule: Rule, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": rule.name, "Arn": rule.arn}
    if rule.event_pattern:
        out["EventPattern"] = rule.event_pattern
    if rule.schedule_expression:
        out["ScheduleExpression"] = rule.schedule_expression
    out["State"] = rule.state
    for field, value in (("Description", rule.description), ("RoleArn", rule.role_arn), ("ManagedBy", rule.managed_by)):
        if value:
            out[field] = value
    out["EventBusName"] = rule.bus
    if full:
        out["CreatedBy"] = rule.created_by
    return out


class RuleOperations(EventsState):
    async def PutRule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        ref = await self.bus_ref(params.get("EventBusName"), ctx.account, ctx.region)
        self.get_bus(ref)
        pattern = params.get("EventPattern") or None
        schedule = params.get("ScheduleExpression") or None
        if pattern is None and schedule is None:
            raise errors.validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if pattern is not None:
            compile_event_pattern(pattern)
        if schedule is not None:
            if ref.name != DEFAULT_BUS:
                raise errors.validation("ScheduleExpression is supported only on the default event bus.")
            try:
                parse_schedule(schedule)
            except ScheduleError:
                raise errors.validation(INVALID_SCHEDULE) from None
        existing = self.rules.get(ref.account, ref.region, rule_key(ref.name, name))
        if existing is not None and existing.managed_by:
            raise errors.managed_rule(name)
        if existing is None and len(self.bus_rules(ref)) >= MAX_RULES_PER_BUS:
            raise errors.limit_exceeded()
        state = params.get("State") or "ENABLED"
        now = self.system.clock.now()
        rule = Rule(
            name=name,
            bus=ref.name,
            arn=rule_arn(ref.region, ref.account, ref.name, name),
            created_by=existing.created_by if existing else ctx.account,
            state=state,
            event_pattern=pattern,
            schedule_expression=schedule,
            description=params.get("Description"),
            role_arn=params.get("RoleArn"),
            targets=existing.targets if existing else [],
            tags=existing.tags if existing else {tag["Key"]: tag["Value"] for tag in params.get("Tags") or []},
            schedule_anchor=_anchor(existing, schedule, state, now),
        )
        await self.save_rule(ref, rule)
        return {"RuleArn": rule.arn}

    async def DescribeRule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = await self._existing_bus(ctx, params.get("EventBusName"))
        return describe_rule(self.get_rule(ref, params["Name"]))

    async def ListRules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = await self._existing_bus(ctx, params.get("EventBusName"))
        prefix = params.get("NamePrefix") or ""
        rules = [rule for rule in self.bus_rules(ref) if rule.name.startswith(prefix)]
        chosen, token = page(rules, lambda rule: rule.name, params.get("Limit"), params.get("NextToken"))
        out: dict[str, Any] = {"Rules": [describe_rule(rule, full=False) for rule in chosen]}
        if token:
            out["NextToken"] = token
        return out

    async def EnableRule(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        await self._set_state(ctx, params, "ENABLED")

    async def DisableRule(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        await self._set_state(ctx, params, "DISABLED")

    async def _set_state(self, ctx: RequestContext, params: dict[str, Any], state: str) -> None:
        ref = await self._existing_bus(ctx, params.get("EventBusName"))
        rule = self.get_rule(ref, params["Name"])
        if rule.managed_by:
            raise errors.managed_rule(rule.name)
        if rule.state == state:
            return
        anchor = self.system.clock.now() if state != "DISABLED" else rule.schedule_anchor
        await self.save_rule(ref, dataclasses.replace(rule, state=state, schedule_anchor=anchor))

    async def DeleteRule(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref = await self._existing_bus(ctx, params.get("EventBusName"))
        rule = self.rules.get(ref.account, ref.region, rule_key(ref.name, params["Name"]))
        if rule is None:
            return
        if rule.managed_by and not params.get("Force"):
            raise errors.managed_rule(rule.name)
        if rule.targets:
            raise errors.validation("Rule can't be deleted since it has targets.")
        await self.drop_rule(ref, rule)

    async def ListRuleNamesByTarget(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = await self._existing_bus(ctx, params.get("EventBusName"))
        arn = params["TargetArn"]
        names = [rule.name for rule in self.bus_rules(ref) if any(target["Arn"] == arn for target in rule.targets)]
        chosen, token = page(names, lambda name: name, params.get("Limit"), params.get("NextToken"))
        out: dict[str, Any] = {"RuleNames": chosen}
        if token:
            out["NextToken"] = token
        return out

    async def PutTargets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = await self._existing_bus(ctx, params.get("EventBusName"))
        rule = self.get_rule(ref, params["Rule"])
        if rule.managed_by:
            raise errors.managed_rule(rule.name)
        accepted: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for target in params["Targets"]:
            problem = input_error(target)
            if problem:
                raise errors.validation(problem)
            reason = self._target_problem(target)
            if reason is None:
                accepted.append(target)
            else:
                failed.append({"TargetId": target["Id"], "ErrorCode": "ValidationException", "ErrorMessage": reason})
        targets = {target["Id"]: target for target in rule.targets}
        for target in accepted:
            targets[target["Id"]] = target
        if len(targets) > MAX_TARGETS_PER_RULE:
            raise errors.limit_exceeded()
        if accepted:
            await self.save_rule(ref, dataclasses.replace(rule, targets=list(targets.values())))
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def _target_problem(self, target: dict[str, Any]) -> str | None:
        arn = target["Arn"]
        if parse_arn(arn) is None:
            return f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
        kind = kind_of(arn)
        if kind is SQS and arn.endswith(".fifo") and not (target.get("SqsParameters") or {}).get("MessageGroupId"):
            return f"Parameter(s) SqsParameters must be specified for target: {target['Id']}."
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        if dead_letter is not None and (kind_of(dead_letter) is not SQS or dead_letter.endswith(".fifo")):
            return (
                f"Parameter DeadLetterConfig.Arn is not valid. Reason: {dead_letter} is not the ARN of a "
                "standard Amazon SQS queue."
            )
        reason = unavailable_reason(kind, self.system.services)
        if reason is not None:
            return f"Parameter {arn} is not valid. Reason: {reason}"
        return None

    async def RemoveTargets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = await self._existing_bus(ctx, params.get("EventBusName"))
        rule = self.get_rule(ref, params["Rule"])
        force = bool(params.get("Force"))
        remaining = list(rule.targets)
        failed: list[dict[str, Any]] = []
        for target_id in params["Ids"]:
            if rule.managed_by and not force:
                failed.append(
                    {
                        "TargetId": target_id,
                        "ErrorCode": "ManagedRuleException",
                        "ErrorMessage": f"Rule '{rule.name}' is managed by an AWS service can only be modified if "
                        "force is True.",
                    }
                )
                continue
            kept = [target for target in remaining if target["Id"] != target_id]
            if len(kept) == len(remaining):
                failed.append(
                    {
                        "TargetId": target_id,
                        "ErrorCode": "ResourceNotFoundException",
                        "ErrorMessage": f"Rule '{rule.name}' does not have a target with the Id '{target_id}'.",
                    }
                )
            remaining = kept
        if len(remaining) != len(rule.targets):
            await self.save_rule(ref, dataclasses.replace(rule, targets=remaining))
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    async def ListTargetsByRule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = await self._existing_bus(ctx, params.get("EventBusName"))
        rule = self.get_rule(ref, params["Rule"])
        position = {target["Id"]: index for index, target in enumerate(rule.targets)}
        chosen, token = page(
            rule.targets, lambda target: f"{position[target['Id']]:04d}", params.get("Limit"), params.get("NextToken")
        )
        out: dict[str, Any] = {"Targets": chosen}
        if token:
            out["NextToken"] = token
        return out

    def TestEventPattern(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pattern = compile_event_pattern(params["EventPattern"])
        try:
            event = orjson.loads(params["Event"])
        except orjson.JSONDecodeError:
            raise errors.validation("Parameter Event is not valid.") from None
        if not isinstance(event, dict) or any(field not in event for field in TEST_EVENT_FIELDS):
            raise errors.validation("Parameter Event is not valid.")
        return {"Result": pattern.matches(event)}

    async def _existing_bus(self, ctx: RequestContext, name_or_arn: str | None) -> BusRef:
        ref = await self.bus_ref(name_or_arn, ctx.account, ctx.region)
        self.get_bus(ref)
        return ref


def _anchor(existing: Rule | None, schedule: str | None, state: str, now: float) -> float:
    """When a rate schedule starts counting: kept while the rule keeps its schedule and state."""
    if existing is not None and existing.schedule_expression == schedule and existing.state == state:
        return existing.schedule_anchor
    return now
