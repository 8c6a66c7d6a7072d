"""Event source mappings: Create/Get/Update/Delete/ListEventSourceMappings (SQS sources)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.lambda_ import names
from postoffice.services.lambda_.errors import conflict, invalid
from postoffice.services.lambda_.paging import page
from postoffice.services.lambda_.records import Mapping
from postoffice.services.lambda_.sqs_source import compile_filters
from postoffice.services.lambda_.state import LambdaState

DEFAULT_BATCH_SIZE = 10
MAX_STANDARD_BATCH = 10_000
MAX_FIFO_BATCH = 10
_NO_QUEUE = (
    "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: "
    "The specified queue does not exist or you do not have access to it."
)
_UNSUPPORTED = (
    "StartingPosition", "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
    "ParallelizationFactor", "TumblingWindowInSeconds", "BisectBatchOnFunctionError", "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts", "StartingPositionTimestamp",
)  # fmt: skip


def mapping_arn(mapping: Mapping) -> str:
    return f"arn:aws:lambda:{mapping.region}:{mapping.account}:event-source-mapping:{mapping.uuid}"


def view(mapping: Mapping, state: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "UUID": mapping.uuid,
        "BatchSize": mapping.batch_size,
        "MaximumBatchingWindowInSeconds": mapping.batching_window,
        "EventSourceArn": mapping.source_arn,
        "FunctionArn": mapping.function_arn,
        "LastModified": mapping.last_modified,
        "State": state or mapping.state,
        "StateTransitionReason": mapping.state_reason,
        "FunctionResponseTypes": list(mapping.function_response_types),
        "EventSourceMappingArn": mapping_arn(mapping),
    }
    if mapping.filter_criteria:
        out["FilterCriteria"] = mapping.filter_criteria
    if mapping.maximum_concurrency is not None:
        out["ScalingConfig"] = {"MaximumConcurrency": mapping.maximum_concurrency}
    out.update(mapping.extra)
    return out


class MappingOperations(LambdaState):
    async def CreateEventSourceMapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source = params.get("EventSourceArn")
        if not source or not source.startswith("arn:aws:sqs:"):
            raise invalid("postoffice runs event source mappings from Amazon SQS queues only.")
        for name in _UNSUPPORTED:
            if name in params:
                raise invalid(f"Unsupported parameter for SQS event source: {name}")
        fifo = source.endswith(".fifo")
        self._check_queue(source)
        ref, function = self.function(ctx, params["FunctionName"])
        if ref.qualifier is not None:
            self.version_of(function, ref.qualifier)
        batch_size = params.get("BatchSize", DEFAULT_BATCH_SIZE)
        window = params.get("MaximumBatchingWindowInSeconds", 0)
        _check_batching(batch_size, window, fifo)
        if "FilterCriteria" in params:
            compile_filters(params["FilterCriteria"])
        function_arn = ref.qualified_arn
        async with self.writing:
            for existing in self.mappings.list(ctx.account, ctx.region):
                if existing.source_arn == source and existing.function_arn == function_arn:
                    raise conflict(
                        f'An event source mapping with SQS arn (" {source} ") and function (" {function.name} ") '
                        f"already exists. Please update or delete the existing mapping with UUID {existing.uuid}"
                    )
            mapping = Mapping(
                uuid=str(uuid.uuid4()),
                account=ctx.account,
                region=ctx.region,
                function_arn=function_arn,
                source_arn=source,
                state="Enabled" if params.get("Enabled", True) else "Disabled",
                batch_size=batch_size,
                batching_window=window,
                last_modified=self.now(),
                function_response_types=list(params.get("FunctionResponseTypes") or []),
                filter_criteria=params.get("FilterCriteria") or None,
                maximum_concurrency=(params.get("ScalingConfig") or {}).get("MaximumConcurrency"),
                tags=dict(params.get("Tags") or {}),
            )
            await self.mappings.put(ctx.account, ctx.region, mapping.uuid, mapping)
        self.pollers.refresh(mapping)
        return view(mapping, "Creating")

    def GetEventSourceMapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return view(self.mapping(ctx, params["UUID"]))

    async def UpdateEventSourceMapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        for name in _UNSUPPORTED:
            if name in params:
                raise invalid(f"Unsupported parameter for SQS event source: {name}")
        async with self.writing:
            mapping = self.mapping(ctx, params["UUID"])
            changes: dict[str, Any] = {}
            if "FunctionName" in params:
                ref, function = self.function(ctx, params["FunctionName"])
                if ref.qualifier is not None:
                    self.version_of(function, ref.qualifier)
                changes["function_arn"] = ref.qualified_arn
            batch_size = params.get("BatchSize", mapping.batch_size)
            window = params.get("MaximumBatchingWindowInSeconds", mapping.batching_window)
            _check_batching(batch_size, window, mapping.source_arn.endswith(".fifo"))
            changes["batch_size"], changes["batching_window"] = batch_size, window
            if "FilterCriteria" in params:
                compile_filters(params["FilterCriteria"])
                changes["filter_criteria"] = params["FilterCriteria"] or None
            if "FunctionResponseTypes" in params:
                changes["function_response_types"] = list(params["FunctionResponseTypes"] or [])
            if "ScalingConfig" in params:
                changes["maximum_concurrency"] = (params["ScalingConfig"] or {}).get("MaximumConcurrency")
            transition = "Updating"
            if "Enabled" in params:
                enabled = bool(params["Enabled"])
                if enabled != (mapping.state == "Enabled"):
                    transition = "Enabling" if enabled else "Disabling"
                changes["state"] = "Enabled" if enabled else "Disabled"
            changes["last_modified"] = self.now()
            mapping = dataclasses.replace(mapping, **changes)
            await self.mappings.put(mapping.account, mapping.region, mapping.uuid, mapping)
        self.pollers.refresh(mapping)
        return view(mapping, transition)

    async def DeleteEventSourceMapping(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        async with self.writing:
            mapping = self.mapping(ctx, params["UUID"])
            await self.mappings.delete(mapping.account, mapping.region, mapping.uuid)
        self.pollers.stop(mapping.uuid)
        return view(mapping, "Deleting")

    def ListEventSourceMappings(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source = params.get("EventSourceArn")
        function_arn = None
        if params.get("FunctionName"):
            ref = names.resolve(ctx, params["FunctionName"])
            function_arn = ref.qualified_arn
        items = [
            view(mapping)
            for mapping in sorted(self.mappings.list(ctx.account, ctx.region), key=lambda m: m.last_modified)
            if (source is None or mapping.source_arn == source)
            and (function_arn is None or mapping.function_arn == function_arn)
        ]
        chunk, marker = page(items, params.get("Marker"), params.get("MaxItems"))
        out: dict[str, Any] = {"EventSourceMappings": chunk}
        if marker:
            out["NextMarker"] = marker
        return out

    def _check_queue(self, arn: str) -> None:
        sqs = self.system.services.get("sqs")
        registry = getattr(sqs, "registry", None)
        by_arn = getattr(registry, "by_arn", None)
        if by_arn is not None and by_arn(arn) is None:
            raise invalid(_NO_QUEUE)


def _check_batching(batch_size: int, window: int, fifo: bool) -> None:
    if fifo and window > 0:
        raise invalid("Batching window is not supported for FIFO queues.")
    if fifo and batch_size > MAX_FIFO_BATCH:
        raise invalid(f"Batch size must be between 1 and {MAX_FIFO_BATCH} for FIFO queues.")
    if batch_size > MAX_STANDARD_BATCH:
        raise invalid(f"Batch size must be between 1 and {MAX_STANDARD_BATCH} for SQS queues.")
    if batch_size > 10 and window == 0:
        raise invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
