"""Publish and PublishBatch: check the request as SNS does, commit it for fan-out, answer.

The answer never waits for a subscriber: the request commits one queue-engine message per
published message, whatever the number of subscriptions (fanout.py delivers them).
"""

from __future__ import annotations

import re
from typing import Any

from postoffice.core.arns import parse_arn
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.sns import message_attributes
from postoffice.services.sns.errors import invalid_parameter
from postoffice.services.sns.models import Topic
from postoffice.services.sns.publishing import (
    ENDPOINT,
    PHONE,
    TOPIC,
    Published,
    check_fifo,
    check_message,
    check_phone_number,
    check_structure,
    check_subject,
    message_size,
)
from postoffice.services.sns.state import SnsState
from postoffice.services.sns.topic_attributes import DEFAULT_MAXIMUM_MESSAGE_SIZE, maximum_message_size

MAX_BATCH_ENTRIES = 10
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]+")
MAX_BATCH_ID = 80


def _is_platform_endpoint(arn: str) -> bool:
    parsed = parse_arn(arn)
    return parsed is not None and parsed.service == "sns" and parsed.resource.startswith("endpoint/")


class PublishOperations(SnsState):
    async def Publish(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic_arn, target_arn, phone = params.get("TopicArn"), params.get("TargetArn"), params.get("PhoneNumber")
        if not topic_arn and not target_arn and not phone:
            raise invalid_parameter("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
        topic: Topic | None = None
        if topic_arn or (target_arn and not _is_platform_endpoint(target_arn)):
            parameter = "TopicArn" if topic_arn else "TargetArn"
            topic = self.require_topic(ctx, topic_arn or target_arn, parameter)
        subject = check_subject(params)
        message = check_message(params.get("Message"))
        if phone and topic is None and not target_arn:
            kind, target, account = PHONE, check_phone_number(phone), ctx.account
        elif topic is None:
            kind, target, account = ENDPOINT, self._platform_target(target_arn or ""), ctx.account
        else:
            kind, target, account = TOPIC, topic.arn, topic.owner
        attributes = params.get("MessageAttributes") or {}
        if message_size(message, attributes) > maximum_message_size(topic):
            raise invalid_parameter("Invalid parameter: Message too long")
        structure = check_structure(message, params.get("MessageStructure"), needs_default=kind != ENDPOINT)
        group, dedup = check_fifo(params, topic)
        published = Published(
            kind=kind,
            account=account,
            region=ctx.region,
            target=target,
            message=message,
            subject=subject,
            structure=structure,
            attributes=message_attributes.to_transport(attributes),
            group_id=group,
            deduplication_id=dedup,
        )
        [sent] = await self.fanout.publish([published], topic)
        result: dict[str, Any] = {"MessageId": sent.message_id}
        if topic is not None and topic.fifo:
            result["SequenceNumber"] = sent.sequence_number
        return result

    def _platform_target(self, arn: str) -> str:
        parsed = parse_arn(arn)
        endpoint = self.endpoints.get(parsed.account, parsed.region, arn) if parsed is not None else None
        if endpoint is None:
            raise invalid_parameter(
                "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"
            )
        if not endpoint.enabled:
            raise ServiceError("EndpointDisabledException", "Endpoint is disabled")
        return arn

    async def PublishBatch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        entries: list[dict[str, Any]] = params.get("PublishBatchRequestEntries") or []
        if not entries:
            raise ServiceError("EmptyBatchRequestException", "The batch request doesn't contain any entries.")
        if len(entries) > MAX_BATCH_ENTRIES:
            raise ServiceError(
                "TooManyEntriesInBatchRequestException", "The batch request contains more entries than permissible."
            )
        topic = self.require_topic(ctx, params["TopicArn"])
        ids = [entry["Id"] for entry in entries]
        if len(set(ids)) != len(ids):
            raise ServiceError(
                "BatchEntryIdsNotDistinctException", "Two or more batch entries in the request have the same Id."
            )
        for entry_id in ids:
            if len(entry_id) > MAX_BATCH_ID:
                raise ServiceError(
                    "InvalidBatchEntryIdException",
                    f"The Id of a batch entry in the batch request is too long: {entry_id}",
                )
            if not _BATCH_ID.fullmatch(entry_id):
                raise ServiceError(
                    "InvalidBatchEntryIdException",
                    f"The Id of a batch entry in the batch request contains an impermissible character: {entry_id}",
                )
        published: list[Published] = []
        total = 0
        for entry in entries:
            subject = check_subject(entry)
            message = check_message(entry.get("Message"))
            attributes = entry.get("MessageAttributes") or {}
            total += message_size(message, attributes)
            structure = check_structure(message, entry.get("MessageStructure"))
            group, dedup = check_fifo(entry, topic)
            published.append(
                Published(
                    kind=TOPIC,
                    account=topic.owner,
                    region=ctx.region,
                    target=topic.arn,
                    message=message,
                    subject=subject,
                    structure=structure,
                    attributes=message_attributes.to_transport(attributes),
                    group_id=group,
                    deduplication_id=dedup,
                )
            )
        if total > max(maximum_message_size(topic), DEFAULT_MAXIMUM_MESSAGE_SIZE):
            raise ServiceError(
                "BatchRequestTooLongException", "The length of all the messages put together is more than the limit."
            )
        sent = await self.fanout.publish(published, topic)
        successful = []
        for entry_id, item in zip(ids, sent, strict=True):
            answer: dict[str, Any] = {"Id": entry_id, "MessageId": item.message_id}
            if topic.fifo:
                answer["SequenceNumber"] = item.sequence_number
            successful.append(answer)
        return {"Successful": successful, "Failed": []}
