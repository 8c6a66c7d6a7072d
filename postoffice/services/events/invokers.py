"""Invoking one target with one event: the payload it gets, and the in-process call to the
service behind it. Every failure is classified the way EventBridge reports it in a DLQ."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.core.internal_calls import NotRunning, call_operation, sqs_queue_url
from postoffice.protocol.errors import ServiceError
from postoffice.services.events import targets
from postoffice.services.events.archive_log import event_timestamp_ms
from postoffice.services.events.arns import BusRef, parse_arn, resolve_bus
from postoffice.services.events.delivery import Delivery, Failure, Outcome
from postoffice.services.events.envelope import format_time
from postoffice.services.events.policy import allows_put_events
from postoffice.services.events.transformer import Invocation, render_input

if TYPE_CHECKING:
    from postoffice.services.events.api import Events

log = logging.getLogger("postoffice.events.delivery")

MAX_HOPS = 5
_MAX_ERROR_MESSAGE = 1024
_NOT_FOUND = frozenset(
    {
        "QueueDoesNotExist", "ResourceNotFoundException", "ResourceNotFound", "NotFound", "NotFoundException",
        "StateMachineDoesNotExist", "StateMachineDeleting", "InvalidAddress",
    }
)  # fmt: skip
_NO_PERMISSION = frozenset(
    {"AccessDenied", "AccessDeniedException", "AuthorizationError", "KmsAccessDenied", "KMSAccessDeniedException"}
)
_THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequestsException", "KmsThrottled"}
)


def classify(error: ServiceError) -> Failure:
    if error.code in _NOT_FOUND:
        return Failure("NO_RESOURCE", error.message, retriable=False)
    if error.code in _NO_PERMISSION:
        return Failure("NO_PERMISSIONS", error.message, retriable=False)
    if error.code in _THROTTLED:
        return Failure("THROTTLING", error.message, retriable=True)
    if error.status >= 500 or not error.sender_fault:
        return Failure("SDK_CLIENT_ERROR", error.message, retriable=True)
    return Failure("INVALID_PARAMETER", f"{error.code}: {error.message}", retriable=False)


class Invokers:
    def __init__(self, service: Events) -> None:
        self.service = service

    async def invoke(self, delivery: Delivery) -> Outcome:
        arn = delivery.target["Arn"]
        kind = targets.kind_of(arn)
        reason = targets.unavailable_reason(kind, self.service.system.services)
        if reason is not None or kind is None:
            return Failure("NO_RESOURCE", f"Target {arn} cannot be invoked: {reason}", retriable=False)
        if kind is targets.EVENT_BUS:
            return await self._to_bus(delivery)
        invocation = Invocation(delivery.rule_arn, delivery.rule_name, format_time(delivery.ingested))
        payload = render_input(delivery.target, delivery.event, invocation)
        if payload is None:
            return None
        if kind is targets.API_DESTINATION:
            return await self.service.api_destinations.invoke(delivery, payload)
        if kind is targets.SQS:
            return await self._to_sqs(delivery, payload)
        if kind is targets.LOGS:
            return await self._to_logs(delivery, payload)
        if kind is targets.SNS:
            return await self.call(arn, "sns", "Publish", {"TopicArn": arn, "Message": payload})
        if kind is targets.LAMBDA:
            params = {"FunctionName": arn, "InvocationType": "Event", "Payload": payload.encode()}
            return await self.call(arn, "lambda", "Invoke", params)
        if kind is targets.STATES:
            params = {"stateMachineArn": arn, "input": payload}
            return await self.call(arn, "stepfunctions", "StartExecution", params)
        return Failure("NO_RESOURCE", f"Target {arn} cannot be invoked.", retriable=False)

    async def call(self, arn: str, service_name: str, operation: str, params: dict[str, Any]) -> Outcome:
        """Call `operation` of a postoffice service in-process, in the target's account and region."""
        parsed = parse_arn(arn)
        assert parsed is not None
        try:
            await call_operation(self.service.system.services, service_name, operation, parsed, params)
        except NotRunning:
            return Failure("NO_RESOURCE", f"postoffice cannot call {service_name} {operation} for {arn}.", False)
        except ServiceError as error:
            return classify(error)
        return None

    async def _to_sqs(self, delivery: Delivery, payload: str) -> Outcome:
        arn = delivery.target["Arn"]
        parsed = parse_arn(arn)
        assert parsed is not None
        params: dict[str, Any] = {
            "QueueUrl": sqs_queue_url(parsed),
            "MessageBody": payload,
        }
        group = (delivery.target.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            params["MessageGroupId"] = group
        return await self.call(arn, "sqs", "SendMessage", params)

    async def _to_logs(self, delivery: Delivery, payload: str) -> Outcome:
        arn = delivery.target["Arn"]
        parsed = parse_arn(arn)
        assert parsed is not None
        group = parsed.resource_name.removesuffix(":*")
        stream = delivery.event.get("id", "events")
        created = await self.call(arn, "logs", "CreateLogStream", {"logGroupName": group, "logStreamName": stream})
        if created is not None and "ResourceAlreadyExists" not in created.message:
            return created
        timestamp = event_timestamp_ms(delivery.event, delivery.ingested)
        params = {
            "logGroupName": group,
            "logStreamName": stream,
            "logEvents": [{"timestamp": timestamp, "message": payload}],
        }
        return await self.call(arn, "logs", "PutLogEvents", params)

    async def _to_bus(self, delivery: Delivery) -> Outcome:
        arn = delivery.target["Arn"]
        ref: BusRef = resolve_bus(arn, delivery.account, delivery.region)
        await self.service.ensure_default_bus(ref.account, ref.region)
        bus = self.service.find_bus(ref)
        if bus is None:
            return Failure("NO_RESOURCE", f"Event bus {ref.name} does not exist.", retriable=False)
        if ref.account != delivery.account and not allows_put_events(bus.policy, delivery.account):
            message = f"Account {delivery.account} is not authorized to put events to {bus.arn}."
            return Failure("NO_PERMISSIONS", message, retriable=False)
        here = f"{delivery.account}/{delivery.region}"
        hops = [*delivery.hops, here]
        accounts = {hop.split("/")[0] for hop in hops}
        regions = {hop.split("/")[1] for hop in hops}
        if ref.account not in accounts and len(accounts) >= 2:
            return Failure("THIRD_ACCOUNT_HOP_DETECTED", "The event already crossed one account boundary.", False)
        if ref.region not in regions and len(regions) >= 2:
            return Failure("THIRD_REGION_HOP_DETECTED", "The event already crossed one region boundary.", False)
        if len(hops) > MAX_HOPS:
            return Failure("INTERNAL_ERROR", f"The event already passed through {MAX_HOPS} event buses.", False)
        await self.service.router.route(ref, [delivery.event], hops=hops)
        return None

    async def dead_letter(self, delivery: Delivery, failure: Failure, exhausted: str | None) -> None:
        """Send the undelivered event to the target's DLQ with AWS's attributes, or drop it."""
        target_arn = delivery.target["Arn"]
        queue_arn = (delivery.target.get("DeadLetterConfig") or {}).get("Arn")
        if not queue_arn:
            log.warning("event %s dropped for %s: %s", delivery.event.get("id"), target_arn, failure.message)
            return
        values = {
            "RULE_ARN": delivery.rule_arn,
            "TARGET_ARN": target_arn,
            "ERROR_CODE": failure.code,
            "ERROR_MESSAGE": failure.message[:_MAX_ERROR_MESSAGE] or failure.code,
            "RETRY_ATTEMPTS": str(delivery.attempt),
        }
        if exhausted is not None:
            values["EXHAUSTED_RETRY_CONDITION"] = exhausted
        attributes = {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}
        parsed = parse_arn(queue_arn)
        assert parsed is not None
        params = {
            "QueueUrl": sqs_queue_url(parsed),
            "MessageBody": orjson.dumps(delivery.event).decode(),
            "MessageAttributes": attributes,
        }
        outcome = await self.call(queue_arn, "sqs", "SendMessage", params)
        if outcome is not None:
            log.warning(
                "event %s lost: its dead-letter queue %s refused it: %s", delivery.event.get("id"), queue_arn, outcome
            )
