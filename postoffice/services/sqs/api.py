"""SQS: one method per operation, named as AWS names it.

Queues are records (queues.py) mirrored as engine queues named by their ARN; messages live
in the queue engine. The methods here check the request as SQS does, call the engine and
shape the answer; the rules themselves live in the domain modules next to this one.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Sequence
from typing import Any

import orjson

from postoffice.core.queues.engine import (
    MessageNotInflight,
    NewMessage,
    QueueEngine,
    QueueEngineError,
    QueueNotFound,
    ReceiptHandleRejected,
    ReceiveAttemptNotRetryable,
    Sent,
    VisibilityTimeoutTooLong,
)
from postoffice.core.system import System
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError, Violation
from postoffice.services.base import Service
from postoffice.services.sqs import attributes as queue_attributes
from postoffice.services.sqs import move_tasks as tasks
from postoffice.services.sqs.errors import (
    QUERY_ERROR_CODES,
    invalid_parameter,
    invalid_parameter_value,
    message_not_inflight,
    missing_parameter,
    query_code,
    queue_does_not_exist,
    receipt_handle_invalid,
    resource_not_found,
    sqs_error,
    unknown_attribute,
)
from postoffice.services.sqs.md5 import md5_of_attributes, md5_of_body
from postoffice.services.sqs.messages import ATTRIBUTES_MD5, ReceiveView, engine_payload
from postoffice.services.sqs.permissions import add_permission, remove_permission
from postoffice.services.sqs.queues import Queue, QueueRecord, QueueRegistry
from postoffice.services.sqs.redrive import DeadLetterTarget, check_redrive_target
from postoffice.services.sqs.urls import (
    FIFO_NAME,
    STANDARD_NAME,
    QueueRef,
    parse_arn,
    parse_queue_url,
    queue_url,
)
from postoffice.services.sqs.validation import (
    MessageContent,
    check_attempt_id,
    check_batch,
    check_batch_size,
    check_content,
    check_delay,
    check_fifo_parameters,
    check_range,
    check_receive,
    check_visibility_timeout,
)

PURGE_INTERVAL_SECONDS = 60.0
MAX_LIST_RESULTS = 1000
MAX_TAGS = 50
MAX_MOVE_RATE = 500
MAX_MOVE_TASK_RESULTS = 10
_QUEUE_URL_OPERATIONS = frozenset(
    {
        "AddPermission",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "DeleteMessage",
        "DeleteMessageBatch",
        "DeleteQueue",
        "GetQueueAttributes",
        "ListDeadLetterSourceQueues",
        "ListQueueTags",
        "PurgeQueue",
        "ReceiveMessage",
        "RemovePermission",
        "SendMessage",
        "SendMessageBatch",
        "SetQueueAttributes",
        "TagQueue",
        "UntagQueue",
    }
)
# A query request cannot send an empty list: no entries at all is SQS's EmptyBatchRequest.
_BATCH_OPERATIONS = frozenset({"SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"})
# ReceiveMessage's deprecated AttributeNames is typed as queue attribute names in the model but
# carries message system attribute names; it is set aside before model validation.
_RECEIVE_ATTRIBUTE_NAMES = "_ReceiveAttributeNames"
_RESOLVED_CACHE_LIMIT = 10_000


class Sqs(Service):
    name = "sqs"
    protocols = ("json", "query")
    json_error_namespace = "com.amazonaws.sqs"
    query_error_codes = QUERY_ERROR_CODES

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.registry = QueueRegistry(system.store)
        self.move_tasks = tasks.MoveTasks(system.store, system.clock, self._engine)
        self._purged_at: dict[str, float] = {}
        self._resolved: dict[tuple[str, str, str], Queue] = {}

    # Lifecycle -----------------------------------------------------------------------------

    def _engine(self) -> QueueEngine:
        engine = self.system.queues
        if engine is None:
            raise RuntimeError("the queue engine is not set up")
        return engine

    async def start(self) -> None:
        engine = self._engine()
        for queue in sorted(self.registry.all(), key=lambda q: q.redrive is not None):
            await engine.create_queue(queue.arn, queue.engine_config())
        self.move_tasks.resume_all()

    async def stop(self) -> None:
        await self.move_tasks.stop()

    async def reset(self) -> None:
        await self.move_tasks.clear()
        engine = self._engine()
        for queue in self.registry.all():
            await engine.delete_queue(queue.arn)
        await self.registry.clear()
        self._purged_at.clear()
        self._resolved.clear()

    def status(self) -> dict[str, Any]:
        return {**super().status(), "queues": len(self.registry.all())}

    # Protocol hooks ------------------------------------------------------------------------

    def complete_params(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if ctx.operation == "ReceiveMessage" and "AttributeNames" in params:
            params[_RECEIVE_ATTRIBUTE_NAMES] = params.pop("AttributeNames")
        if ctx.protocol == "query" and ctx.operation in _BATCH_OPERATIONS:
            params.setdefault("Entries", [])
        if (
            ctx.protocol == "query"
            and ctx.operation in _QUEUE_URL_OPERATIONS
            and not params.get("QueueUrl")
            and ctx.request is not None
            and parse_queue_url(ctx.request.path, ctx.account, ctx.region) is not None
        ):
            params["QueueUrl"] = ctx.request.path
        return params

    def validation_error(self, ctx: RequestContext, violations: list[Violation]) -> ServiceError:
        violation = violations[0]
        name = _parameter_name(violation.path)
        if violation.kind == "required":
            return missing_parameter(name)
        if violation.kind == "enum":
            if "messageSystemAttributes.key" in violation.path:
                return invalid_parameter(f"Message system attribute name '{violation.value}' is invalid.")
            return unknown_attribute(str(violation.value))
        return invalid_parameter_value(name, violation.value, violation.constraint)

    # Helpers -------------------------------------------------------------------------------

    def _queue(self, ctx: RequestContext, url: str) -> Queue:
        key = (url, ctx.account, ctx.region)
        queue = self._resolved.get(key)
        if queue is not None:
            return queue
        ref = parse_queue_url(url, ctx.account, ctx.region)
        queue = self.registry.get(ref) if ref is not None else None
        if queue is None:
            raise queue_does_not_exist(ctx.protocol)
        if len(self._resolved) >= _RESOLVED_CACHE_LIMIT:
            self._resolved.clear()
        self._resolved[key] = queue
        return queue

    def _url(self, ctx: RequestContext, ref: QueueRef) -> str:
        return queue_url(ctx.host, self.system.settings.port, ref)

    async def _save(self, queue: Queue, record: QueueRecord, reconfigure: bool) -> Queue:
        updated = Queue(queue.ref, record)
        if reconfigure:
            await self._engine().create_queue(updated.arn, updated.engine_config())
        saved = await self.registry.save(queue.ref, record)
        self._resolved.clear()
        return saved

    def _dead_letter_target(self, source: QueueRef, arn: str) -> DeadLetterTarget | None:
        target = self.registry.by_arn(arn)
        if target is None or (target.ref.account, target.ref.region) != (source.account, source.region):
            return None
        return target.as_dead_letter_target()

    def _check_redrive(self, update: queue_attributes.AttributeUpdate, source: QueueRef, fifo: bool) -> None:
        if update.redrive is None or update.redrive_raw is None:
            return
        check_redrive_target(
            update.redrive_raw,
            update.redrive,
            source.arn,
            fifo,
            lambda arn: self._dead_letter_target(source, arn),
        )

    # Queues --------------------------------------------------------------------------------

    async def CreateQueue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name: str = params["QueueName"]
        requested: dict[str, str] = params.get("Attributes") or {}
        fifo = queue_attributes.requested_fifo(requested)
        if fifo and not FIFO_NAME.fullmatch(name):
            raise invalid_parameter(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                "must end with .fifo suffix and be 1 to 80 in length."
            )
        if not fifo and not STANDARD_NAME.fullmatch(name):
            raise invalid_parameter(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
            )
        update = queue_attributes.parse_update(requested, fifo, creating=True)
        ref = QueueRef(ctx.account, ctx.region, name)
        existing = self.registry.get(ref)
        if existing is not None:
            conflict = queue_attributes.conflicting_attribute(existing.record.attributes, update)
            if conflict is not None:
                raise sqs_error(
                    "QueueNameExists",
                    f"A queue already exists with the same name and a different value for attribute {conflict}",
                )
            return {"QueueUrl": self._url(ctx, ref)}
        now = self.system.clock.now()
        if self.registry.deleted_recently(ref, now):
            raise sqs_error(
                "QueueDeletedRecently",
                "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
            )
        merged = queue_attributes.apply_update(queue_attributes.initial_attributes(fifo), update)
        self._check_redrive(update, ref, fifo)
        tags = _checked_tags({}, params.get("tags") or {}, name)
        record = QueueRecord(name, merged, tags, int(now), int(now))
        queue = Queue(ref, record)
        await self._engine().create_queue(queue.arn, queue.engine_config())
        await self.registry.forget_deleted(ref)
        await self.registry.save(ref, record)
        self._resolved.clear()
        return {"QueueUrl": self._url(ctx, ref)}

    async def DeleteQueue(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        await self._engine().delete_queue(queue.arn)
        await self.registry.remove(queue, self.system.clock.now())
        self._purged_at.pop(queue.arn, None)
        self._resolved.clear()

    def GetQueueUrl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account = params.get("QueueOwnerAWSAccountId") or ctx.account
        ref = QueueRef(account, ctx.region, params["QueueName"])
        if self.registry.get(ref) is None:
            raise queue_does_not_exist(ctx.protocol)
        return {"QueueUrl": self._url(ctx, ref)}

    def ListQueues(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("QueueNamePrefix") or ""
        queues = [q for q in self.registry.in_partition(ctx.account, ctx.region) if q.name.startswith(prefix)]
        page, next_token = _page([q.name for q in queues], params.get("MaxResults"), params.get("NextToken"))
        result: dict[str, Any] = {}
        if page:
            result["QueueUrls"] = [self._url(ctx, QueueRef(ctx.account, ctx.region, name)) for name in page]
        if next_token:
            result["NextToken"] = next_token
        return result

    async def PurgeQueue(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        now = self.system.clock.now()
        last = self._purged_at.get(queue.arn)
        if last is not None and now - last < PURGE_INTERVAL_SECONDS:
            raise sqs_error(
                "PurgeQueueInProgress", f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds."
            )
        await self._engine().purge(queue.arn)
        self._purged_at[queue.arn] = now

    def GetQueueAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(ctx, params["QueueUrl"])
        names: list[str] = params.get("AttributeNames") or []
        queue_attributes.check_readable(names)
        counts = None

        def computed(name: str) -> str | None:
            nonlocal counts
            if name == "QueueArn":
                return queue.arn
            if name == "CreatedTimestamp":
                return str(queue.record.created)
            if name == "LastModifiedTimestamp":
                return str(queue.record.last_modified)
            if name in queue_attributes.COUNT_NAMES:
                if counts is None:
                    counts = self._engine().counts(queue.arn)
                if name == "ApproximateNumberOfMessages":
                    return str(counts.visible)
                if name == "ApproximateNumberOfMessagesNotVisible":
                    return str(counts.in_flight)
                return str(counts.delayed)
            return None

        rendered = queue_attributes.render(names, queue.record.attributes, computed)
        return {"Attributes": rendered} if rendered else {}

    async def SetQueueAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        update = queue_attributes.parse_update(params["Attributes"], queue.fifo, creating=False)
        merged = queue_attributes.apply_update(queue.record.attributes, update)
        self._check_redrive(update, queue.ref, queue.fifo)
        if merged == queue.record.attributes:
            return
        record = dataclasses.replace(queue.record, attributes=merged, last_modified=int(self.system.clock.now()))
        await self._save(queue, record, reconfigure=True)

    async def TagQueue(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        tags = _checked_tags(queue.record.tags, params["Tags"], queue.name)
        await self._save(queue, dataclasses.replace(queue.record, tags=tags), reconfigure=False)

    async def UntagQueue(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        removed = set(params["TagKeys"])
        tags = {key: value for key, value in queue.record.tags.items() if key not in removed}
        if tags != queue.record.tags:
            await self._save(queue, dataclasses.replace(queue.record, tags=tags), reconfigure=False)

    def ListQueueTags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(ctx, params["QueueUrl"])
        return {"Tags": dict(queue.record.tags)} if queue.record.tags else {}

    async def AddPermission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        policy = add_permission(
            queue.record.attributes.get("Policy"),
            queue.arn,
            params["Label"],
            params["AWSAccountIds"],
            params["Actions"],
        )
        await self._set_policy(queue, policy)

    async def RemovePermission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        policy = remove_permission(queue.record.attributes.get("Policy"), queue.arn, params["Label"])
        await self._set_policy(queue, policy)

    async def _set_policy(self, queue: Queue, policy: str | None) -> None:
        merged = dict(queue.record.attributes)
        if policy is None:
            merged.pop("Policy", None)
        else:
            merged["Policy"] = policy
        record = dataclasses.replace(queue.record, attributes=merged, last_modified=int(self.system.clock.now()))
        await self._save(queue, record, reconfigure=False)

    # Messages ------------------------------------------------------------------------------

    def _new_message(self, ctx: RequestContext, entry: dict[str, Any], content: MessageContent) -> NewMessage:
        attributes_md5 = md5_of_attributes(content.attributes) if content.attributes else None
        return NewMessage(
            content.body,
            engine_payload(content, ctx.account, attributes_md5),
            entry.get("DelaySeconds"),
            entry.get("MessageGroupId"),
            entry.get("MessageDeduplicationId"),
        )

    async def SendMessage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(ctx, params["QueueUrl"])
        content = check_content(params, queue.maximum_message_size)
        delay = params.get("DelaySeconds")
        if delay is not None:
            check_delay(delay, queue.fifo)
        check_fifo_parameters(params, queue.fifo, queue.content_based_deduplication, batch=False)
        message = self._new_message(ctx, params, content)
        try:
            [sent] = await self._engine().send(queue.arn, [message])
        except QueueNotFound:
            raise queue_does_not_exist(ctx.protocol) from None
        return _send_result({}, content, message, sent)

    async def SendMessageBatch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(ctx, params["QueueUrl"])
        entries: list[dict[str, Any]] = params["Entries"]
        check_batch(entries, "SendMessageBatchRequestEntry")
        fifo = queue.fifo
        for entry in entries:
            check_fifo_parameters(entry, fifo, queue.content_based_deduplication, batch=True)
            if fifo and entry.get("DelaySeconds"):
                check_delay(entry["DelaySeconds"], fifo=True)
        failed: list[dict[str, Any]] = []
        accepted: list[tuple[dict[str, Any], MessageContent]] = []
        for entry in entries:
            try:
                content = check_content(entry, None)
                delay = entry.get("DelaySeconds")
                if delay is not None:
                    check_delay(delay, fifo)
            except ServiceError as error:
                failed.append(_failure(entry["Id"], error))
                continue
            accepted.append((entry, content))
        check_batch_size([content.size for _, content in accepted])
        messages = [self._new_message(ctx, entry, content) for entry, content in accepted]
        try:
            sent = await self._engine().send(queue.arn, messages) if messages else []
        except QueueNotFound:
            raise queue_does_not_exist(ctx.protocol) from None
        successful = [
            _send_result({"Id": entry["Id"]}, content, message, result)
            for (entry, content), message, result in zip(accepted, messages, sent, strict=True)
        ]
        return {"Successful": successful, "Failed": failed}

    async def ReceiveMessage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(ctx, params["QueueUrl"])
        max_messages = params.get("MaxNumberOfMessages")
        visibility = params.get("VisibilityTimeout")
        wait = params.get("WaitTimeSeconds")
        check_receive(max_messages, visibility, wait)
        attempt_id = params.get("ReceiveRequestAttemptId") if queue.fifo else None
        check_attempt_id(attempt_id)
        view = ReceiveView(
            [*(params.get(_RECEIVE_ATTRIBUTE_NAMES) or ()), *(params.get("MessageSystemAttributeNames") or ())],
            params.get("MessageAttributeNames") or (),
        )
        try:
            messages = await self._engine().receive(
                queue.arn,
                max_messages=max_messages or 1,
                visibility_timeout=float(visibility) if visibility is not None else None,
                wait_seconds=float(wait if wait is not None else queue.wait_seconds),
                attempt_id=attempt_id,
            )
        except QueueNotFound:
            raise queue_does_not_exist(ctx.protocol) from None
        except ReceiveAttemptNotRetryable:
            raise invalid_parameter_value(
                "ReceiveRequestAttemptId", attempt_id, "The receive request attempt can no longer be retried."
            ) from None
        if not messages:
            return {}
        return {"Messages": [view.render(message) for message in messages]}

    async def DeleteMessage(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        handle: str = params["ReceiptHandle"]
        [result] = await self._engine_call(ctx, self._engine().delete(queue.arn, [handle]))
        if result.error is not None:
            raise _engine_error(result.error, handle, None, ctx)

    async def DeleteMessageBatch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(ctx, params["QueueUrl"])
        entries: list[dict[str, Any]] = params["Entries"]
        check_batch(entries, "DeleteMessageBatchRequestEntry")
        handles = [entry["ReceiptHandle"] for entry in entries]
        results = await self._engine_call(ctx, self._engine().delete(queue.arn, handles))
        successful, failed = [], []
        for entry, result in zip(entries, results, strict=True):
            if result.error is None:
                successful.append({"Id": entry["Id"]})
            else:
                failed.append(_failure(entry["Id"], _engine_error(result.error, entry["ReceiptHandle"], None, ctx)))
        return {"Successful": successful, "Failed": failed}

    async def ChangeMessageVisibility(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        queue = self._queue(ctx, params["QueueUrl"])
        handle: str = params["ReceiptHandle"]
        seconds: int = params["VisibilityTimeout"]
        check_visibility_timeout(seconds)
        [result] = await self._engine_call(ctx, self._engine().change_visibility(queue.arn, [(handle, float(seconds))]))
        if result.error is not None:
            raise _engine_error(result.error, handle, seconds, ctx)

    async def ChangeMessageVisibilityBatch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(ctx, params["QueueUrl"])
        entries: list[dict[str, Any]] = params["Entries"]
        check_batch(entries, "ChangeMessageVisibilityBatchRequestEntry")
        failed: list[dict[str, Any]] = []
        changes: list[tuple[dict[str, Any], tuple[str, float]]] = []
        for entry in entries:
            seconds = entry.get("VisibilityTimeout")
            try:
                if seconds is None:
                    raise missing_parameter("VisibilityTimeout")
                check_visibility_timeout(seconds)
            except ServiceError as error:
                failed.append(_failure(entry["Id"], error))
                continue
            changes.append((entry, (entry["ReceiptHandle"], float(seconds))))
        results = (
            await self._engine_call(ctx, self._engine().change_visibility(queue.arn, [c for _, c in changes]))
            if changes
            else []
        )
        successful = []
        for (entry, (handle, seconds)), result in zip(changes, results, strict=True):
            if result.error is None:
                successful.append({"Id": entry["Id"]})
            else:
                failed.append(_failure(entry["Id"], _engine_error(result.error, handle, int(seconds), ctx)))
        return {"Successful": successful, "Failed": failed}

    async def _engine_call(self, ctx: RequestContext, call: Any) -> Any:
        try:
            return await call
        except QueueNotFound:
            raise queue_does_not_exist(ctx.protocol) from None

    # Dead-letter queues and redrive --------------------------------------------------------

    def ListDeadLetterSourceQueues(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self._queue(ctx, params["QueueUrl"])
        names = [source.name for source in self.registry.dead_letter_sources(queue)]
        page, next_token = _page(names, params.get("MaxResults"), params.get("NextToken"))
        result: dict[str, Any] = {
            "queueUrls": [self._url(ctx, QueueRef(queue.ref.account, queue.ref.region, name)) for name in page]
        }
        if next_token:
            result["NextToken"] = next_token
        return result

    def _queue_by_arn(self, ctx: RequestContext, arn: str, parameter: str) -> Queue:
        ref = parse_arn(arn)
        queue = self.registry.by_arn(arn) if ref is not None and ref.region == ctx.region else None
        if queue is None:
            raise resource_not_found(f"The resource that you specified for the {parameter} parameter doesn't exist.")
        return queue

    async def StartMessageMoveTask(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source = self._queue_by_arn(ctx, params["SourceArn"], "SourceArn")
        if not self.registry.dead_letter_sources(source):
            raise invalid_parameter("Source queue must be configured as a Dead Letter Queue.")
        destination = None
        if params.get("DestinationArn"):
            destination = self._queue_by_arn(ctx, params["DestinationArn"], "DestinationArn")
            if destination.fifo != source.fifo:
                raise invalid_parameter_value(
                    "DestinationArn",
                    destination.arn,
                    "The destination queue must be the same type of queue as the source queue.",
                )
        rate = params.get("MaxNumberOfMessagesPerSecond")
        check_range("MaxNumberOfMessagesPerSecond", rate, 1, MAX_MOVE_RATE, f"Must be between 1 and {MAX_MOVE_RATE}.")
        account, region = source.ref.account, source.ref.region
        if self.move_tasks.active(account, region, source.arn) is not None:
            raise invalid_parameter(
                "There is already a task running. Only one active task is allowed for a source queue arn at a "
                "given time."
            )
        task = await self.move_tasks.start(source, destination, rate)
        return {"TaskHandle": tasks.encode_handle(task.task_id, task.source_arn)}

    async def CancelMessageMoveTask(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        decoded = tasks.decode_handle(params["TaskHandle"])
        if decoded is None:
            raise invalid_parameter("Value for parameter TaskHandle is invalid.")
        task_id, source_arn = decoded
        source = self._queue_by_arn(ctx, source_arn, "SourceArn")
        account, region = source.ref.account, source.ref.region
        task = self.move_tasks.records.get(account, region, task_id)
        if task is None or task.source_arn != source.arn or task.status != tasks.RUNNING:
            raise resource_not_found("Task does not exist.")
        await self.move_tasks.cancel(account, region, task)
        return {"ApproximateNumberOfMessagesMoved": task.moved}

    def ListMessageMoveTasks(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source = self._queue_by_arn(ctx, params["SourceArn"], "SourceArn")
        max_results = params.get("MaxResults")
        check_range(
            "MaxResults",
            max_results,
            1,
            MAX_MOVE_TASK_RESULTS,
            f"You must enter a number that's between 1 and {MAX_MOVE_TASK_RESULTS}.",
        )
        found = self.move_tasks.for_source(source.ref.account, source.ref.region, source.arn)
        return {"Results": [_move_task_entry(task) for task in found[: max_results or 1]]}


# Shaping answers -----------------------------------------------------------------------------


def _parameter_name(path: str) -> str:
    segments = [s for s in path.split(".") if s and not s.isdigit() and s not in ("member", "key", "value")]
    name = segments[-1] if segments else path
    return name[:1].upper() + name[1:]


def _send_result(result: dict[str, Any], content: MessageContent, message: NewMessage, sent: Sent) -> dict[str, Any]:
    """`result` with what SendMessage answers for one message added."""
    result["MD5OfMessageBody"] = md5_of_body(content.body)
    result["MessageId"] = sent.message_id
    if content.attributes:
        result["MD5OfMessageAttributes"] = message.attributes[ATTRIBUTES_MD5]
    if content.trace_header is not None:
        result["MD5OfMessageSystemAttributes"] = md5_of_attributes(
            {"AWSTraceHeader": {"DataType": "String", "StringValue": content.trace_header}}
        )
    if sent.sequence_number is not None:
        result["SequenceNumber"] = sent.sequence_number
    return result


def _failure(entry_id: str, error: ServiceError) -> dict[str, Any]:
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": query_code(error), "Message": error.message}


def _engine_error(error: QueueEngineError, handle: str, seconds: int | None, ctx: RequestContext) -> ServiceError:
    """SQS's answer to an engine error about one receipt handle (ReceiptHandleInvalid last)."""
    if isinstance(error, MessageNotInflight):
        return message_not_inflight()
    if isinstance(error, VisibilityTimeoutTooLong):
        return invalid_parameter_value(
            "VisibilityTimeout", seconds, "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"
        )
    if isinstance(error, ReceiptHandleRejected):
        return invalid_parameter_value("ReceiptHandle", handle, error.reason)
    if isinstance(error, QueueNotFound):
        return queue_does_not_exist(ctx.protocol)
    return receipt_handle_invalid(handle)


def _checked_tags(current: dict[str, str], added: dict[str, str], queue_name: str) -> dict[str, str]:
    for key, value in added.items():
        if not 1 <= len(key) <= 128:
            raise invalid_parameter_value("TagKey", key, "Tag keys must be between 1 and 128 characters in length.")
        if len(value) > 256:
            raise invalid_parameter_value("TagValue", value, "Tag values may not exceed 256 characters in length.")
    tags = {**current, **added}
    if len(tags) > MAX_TAGS:
        raise invalid_parameter(f"Too many tags added for queue {queue_name}.")
    return tags


def _page(names: Sequence[str], max_results: int | None, token: str | None) -> tuple[list[str], str | None]:
    """One page of a name-sorted listing; a NextToken only when MaxResults was given."""
    check_range("MaxResults", max_results, 1, MAX_LIST_RESULTS, "MaxResults must be an integer between 1 and 1000.")
    start = 0
    if token:
        after = _decode_token(token)
        start = next((index for index, name in enumerate(names) if name > after), len(names))
    limit = max_results or MAX_LIST_RESULTS
    page = list(names[start : start + limit])
    more = start + limit < len(names)
    next_token = _encode_token(page[-1]) if max_results and more and page else None
    return page, next_token


def _encode_token(after: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": after})).decode()


def _decode_token(token: str) -> str:
    try:
        document = orjson.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise invalid_parameter("Invalid NextToken value.") from None
    after = document.get("after") if isinstance(document, dict) else None
    if not isinstance(after, str):
        raise invalid_parameter("Invalid NextToken value.")
    return after


def _move_task_entry(task: tasks.MoveTaskRecord) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Status": task.status,
        "SourceArn": task.source_arn,
        "ApproximateNumberOfMessagesMoved": task.moved,
        "ApproximateNumberOfMessagesToMove": task.to_move,
        "StartedTimestamp": task.started_ms,
    }
    if task.status == tasks.RUNNING:
        entry["TaskHandle"] = tasks.encode_handle(task.task_id, task.source_arn)
    if task.destination_arn:
        entry["DestinationArn"] = task.destination_arn
    if task.max_per_second is not None:
        entry["MaxNumberOfMessagesPerSecond"] = task.max_per_second
    if task.failure_reason:
        entry["FailureReason"] = task.failure_reason
    return entry
