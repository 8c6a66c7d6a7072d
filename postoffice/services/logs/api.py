"""CloudWatch Logs: log groups and streams, event ingestion and reads, filter patterns, retention.

Log groups are control-plane records; log streams and their events live in the event log
(core/store/event_log.py) under the namespace `logs`, one event-log group per log group.
Other services write logs in-process with `write_lines`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from postoffice.core.store.event_log import EventLog, Position, Record, StreamExists, StreamInfo, StreamNotFound
from postoffice.core.store.records import RecordTable
from postoffice.core.system import System
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.base import Service
from postoffice.services.logs.filter_pattern import InvalidFilterPattern, compile_pattern, matches_everything
from postoffice.services.logs.resources import DAY_MS, GroupRef, LogGroup, parse_group_arn, stream_arn
from postoffice.services.logs.retention import RETENTION_DAYS, RetentionSweeper
from postoffice.services.logs.tokens import (
    InvalidToken,
    events_token,
    opaque_token,
    parse_events_token,
    parse_opaque_token,
)

MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD_BYTES = 26
MAX_RESPONSE_BYTES = 1_048_576
MAX_EVENTS = 10_000
MAX_TAGS = 50
TOO_NEW_MS = 2 * 3600 * 1000
TOO_OLD_MS = 14 * DAY_MS
MAX_BATCH_SPAN_MS = DAY_MS
FILTER_SCAN_BATCH = 1000
FILTER_SCAN_BUDGET = 50_000
DESCENDING_FILTER_EARLIEST_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
DEFAULT_DESCRIBE_LIMIT = 50


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message)


def group_not_found() -> ServiceError:
    return ServiceError("ResourceNotFoundException", "The specified log group does not exist.")


def stream_not_found() -> ServiceError:
    return ServiceError("ResourceNotFoundException", "The specified log stream does not exist.")


def invalid_token() -> ServiceError:
    return invalid("The specified nextToken is invalid.")


class Logs(Service):
    name = "logs"
    protocols = ("json",)
    validation_error_code = "InvalidParameterException"

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.groups: RecordTable[LogGroup] = RecordTable(system.store, "logs.group", LogGroup)
        self.events = EventLog(system.store, "logs")
        self.sweeper = RetentionSweeper(system.clock, self._next_expiry, self._expire_due)
        self._creating = asyncio.Lock()

    def now_ms(self) -> int:
        return round(self.system.clock.now() * 1000)

    async def start(self) -> None:
        self.sweeper.start()

    async def stop(self) -> None:
        await self.sweeper.stop()

    async def reset(self) -> None:
        await self.groups.clear()
        await self.events.clear()
        self.sweeper.poke()

    # In-process API ---------------------------------------------------------------------

    async def write_lines(
        self, account: str, region: str, group: str, stream: str, lines: Sequence[tuple[int, str]]
    ) -> None:
        """Append (timestamp ms, message) lines to a log stream, creating group and stream if absent.

        For other services (Lambda's function logs, EventBridge log-group targets): AWS's
        PutLogEvents batch rules do not apply, but expired lines are dropped as AWS would.
        """
        ref = GroupRef(account, region, group)
        record = self.groups.get(account, region, group)
        if record is None:
            async with self._creating:
                record = self.groups.get(account, region, group)
                if record is None:
                    record = LogGroup(name=group, created=self.now_ms())
                    await self.groups.put(account, region, group, record)
        retention = record.retention_ms
        cutoff = self.now_ms() - retention if retention is not None else None
        kept = sorted(
            ((timestamp, message.encode()) for timestamp, message in lines if cutoff is None or timestamp >= cutoff),
            key=lambda line: line[0],
        )
        await self.events.append(ref.key, stream, kept, self.now_ms(), create=True)
        self._poke_sweeper(record, kept)

    # Log groups ---------------------------------------------------------------------------

    async def CreateLogGroup(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        name = params["logGroupName"]
        if name.lower().startswith("aws/"):
            raise invalid("Log groups starting with AWS/ are reserved for AWS.")
        async with self._creating:
            if self.groups.get(ctx.account, ctx.region, name) is not None:
                raise ServiceError("ResourceAlreadyExistsException", "The specified log group already exists")
            group_class = params.get("logGroupClass", "STANDARD")
            record = LogGroup(
                name=name,
                created=self.now_ms(),
                retention_days=1 if group_class == "DELIVERY" else None,
                kms_key_id=params.get("kmsKeyId"),
                log_group_class=group_class,
                deletion_protection=bool(params.get("deletionProtectionEnabled", False)),
                tags=dict(params.get("tags") or {}),
            )
            await self.groups.put(ctx.account, ctx.region, name, record)

    async def DeleteLogGroup(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, record = self._group(ctx, params)
        self._check_deletable(record)
        await self.groups.delete(ref.account, ref.region, ref.name)
        await self.events.delete_group(ref.key)

    async def PutLogGroupDeletionProtection(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, record = self._group(ctx, {"logGroupIdentifier": params["logGroupIdentifier"]})
        record.deletion_protection = bool(params["deletionProtectionEnabled"])
        await self.groups.put(ref.account, ref.region, ref.name, record)

    def DescribeLogGroups(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("logGroupNamePrefix")
        pattern = params.get("logGroupNamePattern")
        if prefix is not None and pattern is not None:
            raise invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        identifiers = params.get("logGroupIdentifiers")
        if identifiers is not None and (prefix is not None or pattern is not None):
            raise invalid("logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern.")
        wanted: set[str] | None = None
        if identifiers is not None:
            wanted = set()
            for identifier in identifiers:
                ref = self._ref(ctx, identifier)
                if (ref.account, ref.region) == (ctx.account, ctx.region):
                    wanted.add(ref.name)
        classes = _classes_matching(params.get("logGroupClass"))
        limit = params.get("limit", DEFAULT_DESCRIBE_LIMIT)
        after = self._name_token(params.get("nextToken"))
        records = sorted(self.groups.list(ctx.account, ctx.region), key=lambda group: group.name)
        selected = [
            group
            for group in records
            if (prefix is None or group.name.startswith(prefix))
            and (pattern is None or pattern in group.name)
            and (wanted is None or group.name in wanted)
            and (classes is None or group.log_group_class in classes)
            and (after is None or group.name > after)
        ]
        page = selected[:limit]
        result: dict[str, Any] = {
            "logGroups": [self._describe_group(ctx, group, brief=pattern is not None) for group in page]
        }
        if len(selected) > limit:
            result["nextToken"] = opaque_token(page[-1].name)
        return result

    def _describe_group(self, ctx: RequestContext, group: LogGroup, brief: bool) -> dict[str, Any]:
        ref = GroupRef(ctx.account, ctx.region, group.name)
        described: dict[str, Any] = {
            "logGroupName": group.name,
            "creationTime": group.created,
            "arn": f"{ref.arn}:*",
        }
        if brief:
            return described
        if group.retention_days is not None:
            described["retentionInDays"] = group.retention_days
        described["metricFilterCount"] = 0
        described["storedBytes"] = self.events.group_size(ref.key)[1]
        if group.kms_key_id:
            described["kmsKeyId"] = group.kms_key_id
        described["logGroupClass"] = group.log_group_class
        described["logGroupArn"] = ref.arn
        described["deletionProtectionEnabled"] = group.deletion_protection
        return described

    async def PutRetentionPolicy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        days = params["retentionInDays"]
        if days not in RETENTION_DAYS:
            allowed = ", ".join(str(value) for value in RETENTION_DAYS)
            raise invalid(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{allowed}]"
            )
        ref, record = self._group(ctx, params)
        record.retention_days = days
        await self.groups.put(ref.account, ref.region, ref.name, record)
        self.sweeper.poke()

    async def DeleteRetentionPolicy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, record = self._group(ctx, params)
        record.retention_days = None
        await self.groups.put(ref.account, ref.region, ref.name, record)
        self.sweeper.poke()

    # Tags ---------------------------------------------------------------------------------

    async def TagResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, record = self._tagged(params["resourceArn"])
        await self._add_tags(ref, record, params["tags"], params["resourceArn"])

    async def UntagResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, record = self._tagged(params["resourceArn"])
        await self._remove_tags(ref, record, params["tagKeys"])

    def ListTagsForResource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, record = self._tagged(params["resourceArn"])
        return {"tags": dict(record.tags)}

    async def TagLogGroup(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, record = self._group(ctx, params)
        await self._add_tags(ref, record, params["tags"], ref.arn)

    async def UntagLogGroup(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, record = self._group(ctx, params)
        await self._remove_tags(ref, record, params["tags"])

    def ListTagsLogGroup(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, record = self._group(ctx, params)
        return {"tags": dict(record.tags)}

    def _tagged(self, arn: str) -> tuple[GroupRef, LogGroup]:
        ref = parse_group_arn(arn)
        if ref is None:
            raise ServiceError("ResourceNotFoundException", "The specified resource does not exist.")
        record = self.groups.get(ref.account, ref.region, ref.name)
        if record is None:
            raise group_not_found()
        return ref, record

    async def _add_tags(self, ref: GroupRef, record: LogGroup, tags: dict[str, str], arn: str) -> None:
        merged = {**record.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise ServiceError(
                "TooManyTagsException", f"A resource can have no more than {MAX_TAGS} tags.", resourceName=arn
            )
        record.tags = merged
        await self.groups.put(ref.account, ref.region, ref.name, record)

    async def _remove_tags(self, ref: GroupRef, record: LogGroup, keys: Sequence[str]) -> None:
        removed = set(keys)
        record.tags = {key: value for key, value in record.tags.items() if key not in removed}
        await self.groups.put(ref.account, ref.region, ref.name, record)

    # Log streams --------------------------------------------------------------------------

    async def CreateLogStream(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, _ = self._group(ctx, params)
        try:
            await self.events.create_stream(ref.key, params["logStreamName"], self.now_ms())
        except StreamExists:
            raise ServiceError("ResourceAlreadyExistsException", "The specified log stream already exists") from None

    async def DeleteLogStream(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, record = self._group(ctx, params)
        self._check_deletable(record)
        if not await self.events.delete_stream(ref.key, params["logStreamName"]):
            raise stream_not_found()

    def DescribeLogStreams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, _ = self._group(ctx, params)
        prefix = params.get("logStreamNamePrefix")
        by_time = params.get("orderBy", "LogStreamName") == "LastEventTime"
        if by_time and prefix is not None:
            raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = params.get("limit", DEFAULT_DESCRIBE_LIMIT)
        after: Any = None
        token = params.get("nextToken")
        if token is not None:
            try:
                after = parse_opaque_token(token)
            except InvalidToken:
                raise invalid_token() from None
            if by_time and not (isinstance(after, list) and len(after) == 2):
                raise invalid_token()
            if by_time:
                after = (after[0], after[1])
            elif not isinstance(after, str):
                raise invalid_token()
        streams = self.events.streams(
            ref.key,
            prefix=prefix,
            by_last_timestamp=by_time,
            descending=bool(params.get("descending", False)),
            after=after,
            limit=limit + 1,
        )
        page = streams[:limit]
        result: dict[str, Any] = {"logStreams": [_describe_stream(ref, stream) for stream in page]}
        if len(streams) > limit:
            last = page[-1]
            result["nextToken"] = opaque_token([last.last_timestamp or 0, last.name] if by_time else last.name)
        return result

    # Events -------------------------------------------------------------------------------

    async def PutLogEvents(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, record = self._group(ctx, params)
        events = params["logEvents"]
        timestamps = [event["timestamp"] for event in events]
        if any(later < earlier for earlier, later in zip(timestamps, timestamps[1:], strict=False)):
            raise invalid("Log events in a single PutLogEvents request must be in chronological order.")
        payloads = [event["message"].encode() for event in events]
        size = sum(len(payload) for payload in payloads) + EVENT_OVERHEAD_BYTES * len(payloads)
        if size > MAX_BATCH_BYTES:
            raise invalid(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")
        now = self.now_ms()
        too_old_end = _count_below(timestamps, now - TOO_OLD_MS)
        retention = record.retention_ms
        expired_end = _count_below(timestamps, now - retention) if retention is not None else 0
        too_new_start = len(timestamps) - sum(1 for timestamp in timestamps if timestamp > now + TOO_NEW_MS)
        first_valid = max(too_old_end, expired_end)
        valid = list(zip(timestamps, payloads, strict=True))[first_valid:too_new_start]
        if valid and valid[-1][0] - valid[0][0] > MAX_BATCH_SPAN_MS:
            raise invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
        try:
            appended = await self.events.append(ref.key, params["logStreamName"], valid, now)
        except StreamNotFound:
            raise stream_not_found() from None
        self._poke_sweeper(record, valid)
        result: dict[str, Any] = {"nextSequenceToken": f"{max(appended.last_seq, 0):056d}"}
        rejected: dict[str, int] = {}
        if too_old_end:
            rejected["tooOldLogEventEndIndex"] = too_old_end
        if expired_end:
            rejected["expiredLogEventEndIndex"] = expired_end
        if too_new_start < len(timestamps):
            rejected["tooNewLogEventStartIndex"] = too_new_start
        if rejected:
            result["rejectedLogEventsInfo"] = rejected
        return result

    def GetLogEvents(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, record = self._group(ctx, params)
        stream = params["logStreamName"]
        if self.events.stream(ref.key, stream) is None:
            raise stream_not_found()
        start, end = self._time_range(record, params.get("startTime"), params.get("endTime"))
        limit = params.get("limit", MAX_EVENTS)
        token = params.get("nextToken")
        cursor: Position | None = None
        if token is not None:
            try:
                direction, cursor = parse_events_token(token)
            except InvalidToken:
                raise invalid_token() from None
        else:
            direction = "f" if params.get("startFromHead", False) else "b"
        backward = direction == "b"
        records = self.events.read(
            ref.key, streams=[stream], start=start, end=end, cursor=cursor, descending=backward, limit=limit
        )
        records = _within_response_size(records)
        if backward:
            records.reverse()
        if records:
            forward_token = events_token("f", records[-1].position)
            backward_token = events_token("b", records[0].position)
        else:
            here = cursor or Position(start or 0, 0)
            forward_token = token if token is not None and not backward else events_token("f", here)
            backward_token = token if token is not None and backward else events_token("b", here)
        return {
            "events": [
                {"timestamp": r.timestamp, "message": r.payload.decode(errors="replace"), "ingestionTime": r.ingested}
                for r in records
            ],
            "nextForwardToken": forward_token,
            "nextBackwardToken": backward_token,
        }

    def FilterLogEvents(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, record = self._group(ctx, params)
        names = params.get("logStreamNames")
        prefix = params.get("logStreamNamePrefix")
        if names is not None and prefix is not None:
            raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        try:
            matcher = compile_pattern(params.get("filterPattern") or "")
        except InvalidFilterPattern:
            raise invalid("Invalid filter pattern") from None
        end_inclusive = params.get("endTime")
        start, end = self._time_range(
            record, params.get("startTime"), None if end_inclusive is None else end_inclusive + 1
        )
        token = params.get("nextToken")
        cursor: Position | None = None
        if token is not None:
            descending, cursor = self._filter_token(token)
        else:
            descending = not params.get("startFromHead", True)
            if descending and (params.get("startTime") or 0) < DESCENDING_FILTER_EARLIEST_MS:
                raise invalid("startFromHead=false is supported only with a startTime on or after 2024-01-01.")
        limit = params.get("limit", MAX_EVENTS)
        matched: list[Record] = []
        size = 0
        scanned = 0
        more = False
        while True:
            batch = self.events.read(
                ref.key,
                streams=names,
                prefix=prefix,
                start=start,
                end=end,
                cursor=cursor,
                descending=descending,
                limit=FILTER_SCAN_BATCH,
            )
            for index, event in enumerate(batch):
                cursor = event.position
                scanned += 1
                if matcher is matches_everything or matcher(event.payload.decode(errors="replace")):
                    size += len(event.payload) + EVENT_OVERHEAD_BYTES
                    matched.append(event)
                if len(matched) >= limit or size >= MAX_RESPONSE_BYTES or scanned >= FILTER_SCAN_BUDGET:
                    more = index + 1 < len(batch) or len(batch) == FILTER_SCAN_BATCH
                    break
            else:
                if len(batch) < FILTER_SCAN_BATCH:
                    break
                continue
            break
        result: dict[str, Any] = {
            "events": [
                {
                    "logStreamName": event.stream,
                    "timestamp": event.timestamp,
                    "message": event.payload.decode(errors="replace"),
                    "ingestionTime": event.ingested,
                    "eventId": f"{event.timestamp:016d}{event.seq:040d}",
                }
                for event in matched
            ],
            "searchedLogStreams": [],
        }
        if more and cursor is not None:
            result["nextToken"] = opaque_token(["b" if descending else "f", cursor.timestamp, cursor.seq])
        return result

    @staticmethod
    def _filter_token(token: str) -> tuple[bool, Position]:
        try:
            value = parse_opaque_token(token)
        except InvalidToken:
            raise invalid_token() from None
        if (
            not isinstance(value, list)
            or len(value) != 3
            or value[0] not in ("f", "b")
            or not all(isinstance(part, int) for part in value[1:])
        ):
            raise invalid_token()
        return value[0] == "b", Position(value[1], value[2])

    def _time_range(self, record: LogGroup, start: int | None, end: int | None) -> tuple[int | None, int | None]:
        """The [start, end) window a read may see: expired events are gone even before the sweep."""
        retention = record.retention_ms
        if retention is not None:
            cutoff = self.now_ms() - retention
            start = cutoff if start is None else max(start, cutoff)
        return start, end

    # Retention ----------------------------------------------------------------------------

    def _poke_sweeper(self, record: LogGroup, appended: Sequence[tuple[int, bytes]]) -> None:
        retention = record.retention_ms
        if retention is not None and appended:
            self.sweeper.poke((min(timestamp for timestamp, _ in appended) + retention + 1) / 1000)

    def _retained_groups(self) -> list[tuple[GroupRef, LogGroup]]:
        return [
            (GroupRef(account, region, name), record)
            for account, region, name, record in self.groups.all()
            if record.retention_days is not None
        ]

    def _next_expiry(self) -> float | None:
        due: float | None = None
        for ref, record in self._retained_groups():
            oldest = self.events.oldest(ref.key)
            if oldest is not None and record.retention_ms is not None:
                moment = (oldest + record.retention_ms + 1) / 1000
                due = moment if due is None else min(due, moment)
        return due

    async def _expire_due(self) -> None:
        now = self.now_ms()
        for ref, record in self._retained_groups():
            if record.retention_ms is not None:
                await self.events.expire(ref.key, now - record.retention_ms)

    # Lookups ------------------------------------------------------------------------------

    def _ref(self, ctx: RequestContext, identifier: str) -> GroupRef:
        if identifier.startswith("arn:"):
            ref = parse_group_arn(identifier)
            if ref is None:
                raise invalid(f"Invalid log group identifier: {identifier}")
            return ref
        return GroupRef(ctx.account, ctx.region, identifier)

    def _group(self, ctx: RequestContext, params: dict[str, Any]) -> tuple[GroupRef, LogGroup]:
        name = params.get("logGroupName")
        identifier = params.get("logGroupIdentifier")
        if name is not None and identifier is not None:
            raise invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if name is None and identifier is None:
            raise invalid("Either logGroupName or logGroupIdentifier must be specified.")
        ref = GroupRef(ctx.account, ctx.region, name) if name is not None else self._ref(ctx, identifier or "")
        record = self.groups.get(ref.account, ref.region, ref.name)
        if record is None:
            raise group_not_found()
        return ref, record

    def _check_deletable(self, record: LogGroup) -> None:
        if record.deletion_protection:
            raise ServiceError(
                "ValidationException",
                f"Log group {record.name} has deletion protection enabled. "
                "Disable deletion protection before deleting.",
            )

    @staticmethod
    def _name_token(token: str | None) -> str | None:
        if token is None:
            return None
        try:
            value = parse_opaque_token(token)
        except InvalidToken:
            raise invalid_token() from None
        if not isinstance(value, str):
            raise invalid_token()
        return value


def _classes_matching(requested: str | None) -> set[str] | None:
    if requested is None:
        return None
    if requested in ("INFREQUENT_ACCESS", "ESSENTIALS"):
        return {"INFREQUENT_ACCESS", "ESSENTIALS"}
    return {requested}


def _count_below(sorted_timestamps: list[int], bound: int) -> int:
    count = 0
    for timestamp in sorted_timestamps:
        if timestamp >= bound:
            break
        count += 1
    return count


def _within_response_size(records: list[Record]) -> list[Record]:
    size = 0
    for index, record in enumerate(records):
        size += len(record.payload) + EVENT_OVERHEAD_BYTES
        if size > MAX_RESPONSE_BYTES:
            return records[:index]
    return records


def _describe_stream(group: GroupRef, stream: StreamInfo) -> dict[str, Any]:
    described: dict[str, Any] = {
        "logStreamName": stream.name,
        "creationTime": stream.created,
        "arn": stream_arn(group, stream.name),
        "storedBytes": 0,
    }
    if stream.last_seq is not None:
        if stream.first_timestamp is not None:
            described["firstEventTimestamp"] = stream.first_timestamp
        described["lastEventTimestamp"] = stream.last_timestamp
        described["lastIngestionTime"] = stream.last_ingested
        described["uploadSequenceToken"] = f"{stream.last_seq:056d}"
    return described
