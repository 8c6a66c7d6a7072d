"""Event source mappings from SQS: pollers that receive batches and invoke the function.

Each enabled mapping runs MaximumConcurrency (default DEFAULT_POLLERS) pollers. A poller
long-polls the queue through the SQS service in-process, gathers up to BatchSize messages
within MaximumBatchingWindowInSeconds (on the clock), drops and deletes the messages no
filter matches, invokes the function (waiting for a concurrency slot, as AWS's pollers back
off when throttled), and deletes what succeeded: everything, or with ReportBatchItemFailures
all but the reported failures. Messages of a failed batch come back after their visibility
timeout. FIFO queues keep per-group order: the queue never hands out a message of a group
while another of that group is in flight.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.core.arns import Arn, parse_arn
from postoffice.core.internal_calls import NotRunning, call_operation, sqs_queue_url
from postoffice.core.matcher import PatternError, compile_pattern
from postoffice.core.matcher.pattern import CompiledPattern
from postoffice.protocol.errors import ServiceError
from postoffice.runtime import Invocation
from postoffice.services.lambda_ import names
from postoffice.services.lambda_.errors import invalid
from postoffice.services.lambda_.records import Mapping
from postoffice.services.lambda_.sqs_event import batch_item_failures, filter_view, sqs_record

if TYPE_CHECKING:
    from postoffice.services.lambda_.api import Lambda

log = logging.getLogger("postoffice.lambda.sqs")

DEFAULT_POLLERS = 5
RECEIVE_MAX = 10
LONG_POLL_SECONDS = 20
RETRY_PAUSE_SECONDS = 5.0


def compile_filters(criteria: dict[str, Any] | None) -> list[CompiledPattern]:
    patterns = []
    for item in (criteria or {}).get("Filters") or []:
        try:
            document = orjson.loads(item.get("Pattern") or "")
            patterns.append(compile_pattern(document, "lambda"))
        except (orjson.JSONDecodeError, PatternError, TypeError, ValueError):
            raise invalid("Invalid filter pattern definition.") from None
    return patterns


def queue_url(arn: str) -> str:
    return sqs_queue_url(_source_queue(arn))


def _source_queue(arn: str) -> Arn:
    parsed = parse_arn(arn)
    assert parsed is not None, "CreateEventSourceMapping accepts only queue ARNs"
    return parsed


class SqsPollers:
    def __init__(self, service: Lambda) -> None:
        self.service = service
        self._tasks: dict[str, list[asyncio.Task[None]]] = {}

    def resume_all(self) -> None:
        for _, _, _, mapping in self.service.mappings.all():
            self.refresh(mapping)

    def refresh(self, mapping: Mapping) -> None:
        """Run as many pollers as the mapping wants (none when it is disabled)."""
        self.stop(mapping.uuid)
        if mapping.state not in ("Enabled", "Enabling", "Creating", "Updating"):
            return
        count = mapping.maximum_concurrency or DEFAULT_POLLERS
        loop = asyncio.get_running_loop()
        self._tasks[mapping.uuid] = [
            loop.create_task(
                self._poll(mapping.account, mapping.region, mapping.uuid), name=f"lambda-sqs:{mapping.uuid}"
            )
            for _ in range(count)
        ]

    def stop(self, uuid_: str) -> None:
        for task in self._tasks.pop(uuid_, []):
            task.cancel()

    async def stop_all(self) -> None:
        tasks = [task for tasks in self._tasks.values() for task in tasks]
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # One poller ------------------------------------------------------------------------------

    async def _poll(self, account: str, region: str, uuid_: str) -> None:
        while True:
            mapping = self.service.mappings.get(account, region, uuid_)
            if mapping is None or mapping.state == "Disabled":
                return
            try:
                await self._one_batch(mapping)
            except asyncio.CancelledError:
                raise
            except ServiceError as error:
                log.warning("event source mapping %s: %s %s", uuid_, error.code, error.message)
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
            except Exception:
                log.exception("event source mapping %s failed", uuid_)
                await asyncio.sleep(RETRY_PAUSE_SECONDS)

    async def _one_batch(self, mapping: Mapping) -> None:
        messages = await self._gather(mapping)
        if not messages:
            return
        ref = names.parse_function_arn(mapping.function_arn)
        function = None if ref is None else self.service.find_function(ref)
        if ref is None or function is None:
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            return
        records = [sqs_record(message, mapping.source_arn) for message in messages]
        patterns = compile_filters(mapping.filter_criteria)
        if patterns:
            kept = [r for r in records if any(p.matches(filter_view(r)) for p in patterns)]
            dropped = [r["receiptHandle"] for r in records if r not in kept]
            await self._delete(mapping, dropped)
            records = kept
            if not records:
                return
        version, config = self.service.version_of(function, ref.qualifier)
        payload = orjson.dumps({"Records": records})
        invocation = Invocation(str(uuid.uuid4()), payload, mapping.function_arn)
        outcome = await self.service.executor.invoke(function, version, config, invocation, wait=True)
        if outcome.failed:
            return
        handles = {r["messageId"]: r["receiptHandle"] for r in records}
        if "ReportBatchItemFailures" in mapping.function_response_types:
            result = batch_item_failures(outcome.payload, set(handles))
            if result.all_failed:
                return
            await self._delete(mapping, [h for m, h in handles.items() if m not in result.failed])
        else:
            await self._delete(mapping, list(handles.values()))

    async def _gather(self, mapping: Mapping) -> list[dict[str, Any]]:
        clock = self.service.system.clock
        messages: list[dict[str, Any]] = []
        window_ends: float | None = None
        while len(messages) < mapping.batch_size:
            if window_ends is None:
                wait = LONG_POLL_SECONDS
            else:
                wait = math.ceil(max(0.0, window_ends - clock.now()))
            wanted = min(RECEIVE_MAX, mapping.batch_size - len(messages))
            received = await self._receive(mapping, wanted, wait)
            messages.extend(received)
            if not messages:
                continue
            if window_ends is not None and not received:
                break
            if mapping.batching_window <= 0:
                break
            if window_ends is None:
                window_ends = clock.now() + mapping.batching_window
            elif clock.now() >= window_ends:
                break
        return messages

    async def _receive(self, mapping: Mapping, count: int, wait: int) -> list[dict[str, Any]]:
        params = {
            "QueueUrl": queue_url(mapping.source_arn),
            "MaxNumberOfMessages": count,
            "WaitTimeSeconds": min(wait, LONG_POLL_SECONDS),
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        result = await self._sqs(mapping, "ReceiveMessage", params)
        return list(result.get("Messages") or [])

    async def _delete(self, mapping: Mapping, handles: list[str]) -> None:
        for start in range(0, len(handles), RECEIVE_MAX):
            chunk = handles[start : start + RECEIVE_MAX]
            entries = [{"Id": str(index), "ReceiptHandle": handle} for index, handle in enumerate(chunk)]
            await self._sqs(
                mapping, "DeleteMessageBatch", {"QueueUrl": queue_url(mapping.source_arn), "Entries": entries}
            )

    async def _sqs(self, mapping: Mapping, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        queue = _source_queue(mapping.source_arn)
        try:
            return await call_operation(self.service.system.services, "sqs", operation, queue, params)
        except NotRunning:
            raise ServiceError("ServiceException", "postoffice's SQS is not running.", 500, False) from None
