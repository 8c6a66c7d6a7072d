"""One postoffice service calling another's operation in-process (a target, a subscriber, a
destination), in the account and region of the resource it delivers to."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from postoffice.protocol.context import RequestContext

if TYPE_CHECKING:
    from postoffice.core.arns import Arn
    from postoffice.services.base import Service


class NotRunning(Exception):
    """The service, or that operation of it, is not running in this postoffice."""

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(f"postoffice does not run {service} {operation}")
        self.service = service
        self.operation = operation


def internal_context(
    service: str, account: str, region: str, operation: str, request_id: str | None = None
) -> RequestContext:
    return RequestContext(
        service=service,
        account=account,
        region=region,
        request_id=request_id if request_id is not None else str(uuid.uuid4()),
        operation=operation,
        protocol="internal",
    )


async def call_operation(
    services: Mapping[str, Service],
    service: str,
    operation: str,
    at: Arn,
    params: dict[str, Any],
    request_id: str | None = None,
) -> dict[str, Any]:
    """The operation's answer; raises NotRunning, or the ServiceError the operation raised."""
    found = services.get(service)
    entry = None if found is None else found.operations.get(operation)
    if entry is None:
        raise NotRunning(service, operation)
    result = entry.method(internal_context(service, at.account, at.region, operation, request_id), params)
    if entry.is_async:
        result = await result
    return result or {}


def sqs_queue_url(queue: Arn) -> str:
    """The QueueUrl postoffice's SQS accepts for the queue an SQS ARN names."""
    return f"http://sqs.{queue.region}.localhost/{queue.account}/{queue.resource}"
