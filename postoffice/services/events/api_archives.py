"""Archive and replay operations.

An archive is what AWS makes it: a rule on the source bus, managed by EventBridge and named
`Events-Archive-<name>`, whose pattern is the archive's own plus `"replay-name": [{"exists":
false}]` (replayed events are never archived again), with the archive as its target.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.protocol.context import RequestContext
from postoffice.services.events import errors
from postoffice.services.events.arns import (
    BusRef,
    archive_arn,
    parse_arn,
    parse_rule_arn,
    replay_arn,
    resolve_bus,
    rule_arn,
)
from postoffice.services.events.models import ARCHIVE_MANAGER, Archive, Replay, Rule, rule_key
from postoffice.services.events.paging import page
from postoffice.services.events.patterns import compile_event_pattern
from postoffice.services.events.replays import ACTIVE_STATES
from postoffice.services.events.state import EventsState

if TYPE_CHECKING:
    from postoffice.services.events.archive_log import ArchiveLog
    from postoffice.services.events.replays import Replays

MAX_ACTIVE_REPLAYS = 10
_NOT_REPLAYED = {"replay-name": [{"exists": False}]}


class ArchiveOperations(EventsState):
    archive_log: ArchiveLog
    replay_runner: Replays

    async def CreateArchive(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["ArchiveName"]
        source = params["EventSourceArn"]
        ref = await self._source_bus(ctx, source)
        if self.archives.get(ctx.account, ctx.region, name) is not None:
            raise errors.already_exists(f"Archive {name} already exists.")
        pattern = params.get("EventPattern") or None
        if pattern is not None:
            compile_event_pattern(pattern)
        archive = Archive(
            name=name,
            arn=archive_arn(ctx.region, ctx.account, name),
            event_source_arn=self.get_bus(ref).arn,
            created=self.system.clock.now(),
            description=params.get("Description"),
            event_pattern=pattern,
            retention_days=params.get("RetentionDays") or 0,
            kms_key=params.get("KmsKeyIdentifier"),
        )
        await self._save_archive_rule(ref, archive)
        await self.archives.put(ctx.account, ctx.region, name, archive)
        self.archive_retention_changed.set()
        return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": archive.created}

    async def DescribeArchive(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        archive = self.get_archive(ctx.account, ctx.region, params["ArchiveName"])
        out: dict[str, Any] = {"ArchiveArn": archive.arn, **self._archive_summary(ctx, archive)}
        if archive.description:
            out["Description"] = archive.description
        if archive.event_pattern:
            out["EventPattern"] = archive.event_pattern
        if archive.kms_key:
            out["KmsKeyIdentifier"] = archive.kms_key
        return out

    async def ListArchives(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix, source, state = params.get("NamePrefix"), params.get("EventSourceArn"), params.get("State")
        if sum(value is not None for value in (prefix, source, state)) > 1:
            raise errors.validation(
                "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix."
            )
        if source is not None:
            source = self.get_bus(await self._source_bus(ctx, source)).arn
        archives = [
            archive
            for archive in self.archives.list(ctx.account, ctx.region)
            if archive.name.startswith(prefix or "")
            and (source is None or archive.event_source_arn == source)
            and (state is None or archive.state == state)
        ]
        chosen, token = page(archives, lambda archive: archive.name, params.get("Limit"), params.get("NextToken"))
        out: dict[str, Any] = {"Archives": [self._archive_summary(ctx, archive) for archive in chosen]}
        if token:
            out["NextToken"] = token
        return out

    async def UpdateArchive(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        archive = self.archives.get(ctx.account, ctx.region, params["ArchiveName"])
        if archive is None:
            raise errors.internal()
        changes: dict[str, Any] = {}
        if "EventPattern" in params:
            pattern = params["EventPattern"] or None
            if pattern is not None:
                compile_event_pattern(pattern)
            changes["event_pattern"] = pattern
        if "Description" in params:
            changes["description"] = params["Description"] or None
        if "RetentionDays" in params:
            changes["retention_days"] = params["RetentionDays"]
        if "KmsKeyIdentifier" in params:
            changes["kms_key"] = params["KmsKeyIdentifier"] or None
        archive = dataclasses.replace(archive, **changes)
        if "event_pattern" in changes:
            await self._save_archive_rule(resolve_bus(archive.event_source_arn, ctx.account, ctx.region), archive)
        await self.archives.put(ctx.account, ctx.region, archive.name, archive)
        self.archive_retention_changed.set()
        return {"ArchiveArn": archive.arn, "State": archive.state, "CreationTime": archive.created}

    async def DeleteArchive(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        archive = self.get_archive(ctx.account, ctx.region, params["ArchiveName"])
        ref = resolve_bus(archive.event_source_arn, ctx.account, ctx.region)
        rule = self.rules.get(ref.account, ref.region, rule_key(ref.name, archive.rule_name))
        if rule is not None:
            await self.drop_rule(ref, rule)
        await self.archives.delete(ctx.account, ctx.region, archive.name)
        await self.archive_log.drop(ctx.account, ctx.region, archive.name)
        return {}

    async def StartReplay(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["ReplayName"]
        if self.replays.get(ctx.account, ctx.region, name) is not None:
            raise errors.already_exists(f"Replay {name} already exists.")
        start, end = params["EventStartTime"], params["EventEndTime"]
        if end <= start:
            raise errors.validation(
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."
            )
        source = params["EventSourceArn"]
        archive_name = (parse_arn(source).resource_name if parse_arn(source) else source).split("/")[0]
        archive = self.archives.get(ctx.account, ctx.region, archive_name)
        if archive is None or archive.arn != source:
            raise errors.validation(
                f"Parameter EventSourceArn is not valid. Reason: Archive {archive_name} does not exist."
            )
        destination = params["Destination"]
        await self._check_destination(ctx, archive, destination)
        active = sum(1 for replay in self.replays.list(ctx.account, ctx.region) if replay.state in ACTIVE_STATES)
        if active >= MAX_ACTIVE_REPLAYS:
            raise errors.limit_exceeded()
        now = self.system.clock.now()
        replay = Replay(
            name=name,
            arn=replay_arn(ctx.region, ctx.account, name),
            event_source_arn=source,
            destination=destination,
            event_start=start,
            event_end=end,
            state="STARTING",
            replay_start=now,
            description=params.get("Description"),
        )
        await self.replays.put(ctx.account, ctx.region, name, replay)
        self.replay_runner.start(ctx.account, ctx.region, name)
        return {"ReplayArn": replay.arn, "State": "STARTING", "ReplayStartTime": now}

    async def DescribeReplay(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        replay = self.get_replay(ctx.account, ctx.region, params["ReplayName"])
        out = {"ReplayName": replay.name, "ReplayArn": replay.arn}
        if replay.description:
            out["Description"] = replay.description
        out.update(_replay_summary(replay))
        out["Destination"] = replay.destination
        return out

    async def ListReplays(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix, source, state = params.get("NamePrefix"), params.get("EventSourceArn"), params.get("State")
        if sum(value is not None for value in (prefix, source, state)) > 1:
            raise errors.validation(
                "At most one filter is allowed for ListReplays. Use either : State, EventSourceArn, or NamePrefix."
            )
        replays = [
            replay
            for replay in self.replays.list(ctx.account, ctx.region)
            if replay.name.startswith(prefix or "")
            and (source is None or replay.event_source_arn == source)
            and (state is None or replay.state == state)
        ]
        chosen, token = page(replays, lambda replay: replay.name, params.get("Limit"), params.get("NextToken"))
        out: dict[str, Any] = {"Replays": [{"ReplayName": replay.name, **_replay_summary(replay)} for replay in chosen]}
        if token:
            out["NextToken"] = token
        return out

    async def CancelReplay(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        replay = self.get_replay(ctx.account, ctx.region, params["ReplayName"])
        if replay.state not in ("STARTING", "RUNNING"):
            raise errors.illegal_status(f"Replay {replay.name} is not in a valid state for this operation.")
        replay = dataclasses.replace(replay, state="CANCELLING")
        await self.replays.put(ctx.account, ctx.region, replay.name, replay)
        self.replay_runner.start(ctx.account, ctx.region, replay.name)
        return {"ReplayArn": replay.arn, "State": "CANCELLING"}

    async def _source_bus(self, ctx: RequestContext, source: str) -> BusRef:
        ref = await self.bus_ref(source, ctx.account, ctx.region)
        self.get_bus(ref)
        return ref

    async def _check_destination(self, ctx: RequestContext, archive: Archive, destination: dict[str, Any]) -> None:
        arn = parse_arn(destination["Arn"])
        if arn is None or arn.service != "events" or arn.resource_type != "event-bus":
            raise errors.validation("Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.")
        ref = await self.bus_ref(destination["Arn"], ctx.account, ctx.region)
        bus = self.get_bus(ref)
        if bus.arn != archive.event_source_arn:
            raise errors.validation(
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."
            )
        for filter_arn in destination.get("FilterArns") or []:
            parsed = parse_rule_arn(filter_arn)
            if (
                parsed is None
                or parsed[2] != ref.name
                or self.rules.get(ref.account, ref.region, rule_key(ref.name, parsed[3])) is None
            ):
                raise errors.validation(
                    f"Parameter Destination.FilterArns is not valid. Reason: Rule {filter_arn} does not exist on the "
                    f"event bus {ref.name}."
                )

    async def _save_archive_rule(self, ref: BusRef, archive: Archive) -> None:
        pattern = dict(orjson.loads(archive.event_pattern)) if archive.event_pattern else {}
        pattern.update(_NOT_REPLAYED)
        rule = Rule(
            name=archive.rule_name,
            bus=ref.name,
            arn=rule_arn(ref.region, ref.account, ref.name, archive.rule_name),
            created_by=ref.account,
            event_pattern=orjson.dumps(pattern).decode(),
            managed_by=ARCHIVE_MANAGER,
            targets=[{"Id": archive.rule_name, "Arn": archive.arn}],
        )
        await self.save_rule(ref, rule)

    def _archive_summary(self, ctx: RequestContext, archive: Archive) -> dict[str, Any]:
        count, size = self.archive_log.size(ctx.account, ctx.region, archive.name)
        return {
            "ArchiveName": archive.name,
            "EventSourceArn": archive.event_source_arn,
            "State": archive.state,
            "RetentionDays": archive.retention_days,
            "SizeBytes": size,
            "EventCount": count,
            "CreationTime": archive.created,
        }


def _replay_summary(replay: Replay) -> dict[str, Any]:
    out: dict[str, Any] = {"EventSourceArn": replay.event_source_arn, "State": replay.state}
    if replay.state_reason:
        out["StateReason"] = replay.state_reason
    out["EventStartTime"] = replay.event_start
    out["EventEndTime"] = replay.event_end
    if replay.last_replayed is not None:
        out["EventLastReplayedTime"] = replay.last_replayed
    out["ReplayStartTime"] = replay.replay_start
    if replay.replay_end is not None:
        out["ReplayEndTime"] = replay.replay_end
    return out
