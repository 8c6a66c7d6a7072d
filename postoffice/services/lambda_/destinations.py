"""Where the result of an asynchronous invocation goes: OnSuccess / OnFailure destinations and
the function's dead-letter queue, through the target service in-process.

One place decides: `send_record` (destinations: SQS, SNS, Lambda, EventBridge) and
`send_dead_letter` (DeadLetterConfig: SQS, SNS). A target whose service postoffice does not
run here, or that refuses the message, is logged and dropped, as AWS drops undeliverable
destination records.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.core.arns import Arn, parse_arn
from postoffice.core.internal_calls import NotRunning, call_operation, sqs_queue_url
from postoffice.protocol.errors import ServiceError

if TYPE_CHECKING:
    from postoffice.core.system import System
    from postoffice.runtime import Outcome

log = logging.getLogger("postoffice.lambda.destinations")

MAX_DEAD_LETTER_MESSAGE = 1024
SUPPORTED_DESTINATIONS = ("sqs", "sns", "lambda", "events")


def destination_service(arn: str) -> str | None:
    parsed = parse_arn(arn)
    if parsed is None:
        return None
    service, resource = parsed.service, parsed.resource
    if service == "lambda" and resource.split(":", 1)[0] != "function":
        return None
    if service == "events" and not resource.startswith("event-bus/"):
        return None
    return service if service in SUPPORTED_DESTINATIONS else None


def _json_or_text(data: bytes) -> Any:
    try:
        return orjson.loads(data) if data else None
    except orjson.JSONDecodeError:
        return data.decode("utf-8", errors="replace")


def _now_text(epoch: float) -> str:
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def invocation_record(
    condition: str,
    request_id: str,
    function_arn: str,
    attempts: int,
    payload: bytes,
    outcome: Outcome | None,
    executed_version: str,
    now: float,
) -> dict[str, Any]:
    """AWS's invocation record, as OnSuccess / OnFailure destinations receive it."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": _now_text(now),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(payload),
    }
    if outcome is not None:
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": executed_version}
        if outcome.failed:
            context["functionError"] = "Unhandled"
        record["responseContext"] = context
        record["responsePayload"] = _json_or_text(outcome.payload)
    return record


class Destinations:
    def __init__(self, system: System) -> None:
        self.system = system

    async def send_record(self, destination: str, record: dict[str, Any], success: bool) -> None:
        body = orjson.dumps(record).decode()
        service = destination_service(destination)
        if service == "sqs":
            await self._call(
                destination, "sqs", "SendMessage", {"QueueUrl": _queue_url(destination), "MessageBody": body}
            )
        elif service == "sns":
            await self._call(destination, "sns", "Publish", {"TopicArn": destination, "Message": body})
        elif service == "lambda":
            params = {"FunctionName": destination, "InvocationType": "Event", "Payload": body.encode()}
            await self._call(destination, "lambda", "Invoke", params)
        elif service == "events":
            detail_type = "Lambda Function Invocation Result - " + ("Success" if success else "Failure")
            entry = {
                "Source": "lambda",
                "DetailType": detail_type,
                "Detail": body,
                "EventBusName": destination,
                "Resources": [record["requestContext"]["functionArn"]],
            }
            await self._call(destination, "events", "PutEvents", {"Entries": [entry]})
        else:
            log.warning("invocation record dropped: postoffice cannot deliver to %s", destination)

    async def send_dead_letter(self, target: str, payload: bytes, request_id: str, outcome: Outcome | None) -> None:
        message = ""
        if outcome is not None:
            document = _json_or_text(outcome.payload)
            message = document.get("errorMessage", "") if isinstance(document, dict) else str(document or "")
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": (message or "Unhandled")[:MAX_DEAD_LETTER_MESSAGE]},
        }
        body = payload.decode("utf-8", errors="replace") or "{}"
        service = destination_service(target)
        if service == "sqs":
            params = {"QueueUrl": _queue_url(target), "MessageBody": body, "MessageAttributes": attributes}
            await self._call(target, "sqs", "SendMessage", params)
        elif service == "sns":
            await self._call(
                target, "sns", "Publish", {"TopicArn": target, "Message": body, "MessageAttributes": attributes}
            )
        else:
            log.warning("event %s dropped: dead-letter target %s cannot be reached", request_id, target)

    async def _call(self, arn: str, service_name: str, operation: str, params: dict[str, Any]) -> None:
        try:
            await call_operation(self.system.services, service_name, operation, _parsed(arn), params)
        except NotRunning:
            log.warning("postoffice does not run %s here: nothing delivered to %s", service_name, arn)
        except ServiceError as error:
            log.warning("%s refused the record for %s: %s %s", service_name, arn, error.code, error.message)


def _queue_url(arn: str) -> str:
    return sqs_queue_url(_parsed(arn))


def _parsed(destination: str) -> Arn:
    """A destination ARN, which `destination_service` has accepted."""
    arn = parse_arn(destination)
    assert arn is not None
    return arn
