import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from postoffice.core.arns import Arn
from postoffice.core.internal_calls import NotRunning, call_operation, internal_context, sqs_queue_url
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.base import OperationEntry

QUEUE = Arn("aws", "sqs", "eu-west-1", "123456789012", "orders")
seen: list[tuple[RequestContext, dict[str, Any]]] = []


def send(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    seen.append((ctx, params))
    return {"MessageId": "m-1"}


async def purge(ctx: RequestContext, params: dict[str, Any]) -> None:
    seen.append((ctx, params))


def refuse(ctx: RequestContext, params: dict[str, Any]) -> None:
    raise ServiceError("QueueDoesNotExist", "The specified queue does not exist.", 400)


SERVICES: Any = {
    "sqs": SimpleNamespace(
        operations={
            "SendMessage": OperationEntry(send, False),
            "PurgeQueue": OperationEntry(purge, True),
            "DeleteQueue": OperationEntry(refuse, False),
        }
    )
}


def test_calls_in_the_account_and_region_of_the_arn() -> None:
    seen.clear()
    answer = asyncio.run(call_operation(SERVICES, "sqs", "SendMessage", QUEUE, {"MessageBody": "x"}, "req-1"))
    assert answer == {"MessageId": "m-1"}
    ctx, params = seen[0]
    assert (ctx.service, ctx.account, ctx.region, ctx.operation, ctx.request_id, ctx.protocol) == (
        "sqs", "123456789012", "eu-west-1", "SendMessage", "req-1", "internal",
    )  # fmt: skip
    assert params == {"MessageBody": "x"}


def test_awaits_an_async_operation_and_answers_empty_for_none() -> None:
    seen.clear()
    assert asyncio.run(call_operation(SERVICES, "sqs", "PurgeQueue", QUEUE, {})) == {}
    assert len(seen) == 1 and seen[0][0].request_id


def test_the_operation_error_reaches_the_caller() -> None:
    with pytest.raises(ServiceError) as raised:
        asyncio.run(call_operation(SERVICES, "sqs", "DeleteQueue", QUEUE, {}))
    assert raised.value.code == "QueueDoesNotExist"


@pytest.mark.parametrize(("service", "operation"), [("sns", "Publish"), ("sqs", "TagQueue")])
def test_not_running(service: str, operation: str) -> None:
    with pytest.raises(NotRunning) as raised:
        asyncio.run(call_operation(SERVICES, service, operation, QUEUE, {}))
    assert (raised.value.service, raised.value.operation) == (service, operation)


def test_internal_context_makes_a_fresh_request_id_unless_given_one() -> None:
    first, second = (internal_context("lambda", "1", "r", "Invoke") for _ in range(2))
    assert first.request_id and first.request_id != second.request_id
    assert internal_context("lambda", "1", "r", "Invoke", "given").request_id == "given"


def test_sqs_queue_url() -> None:
    assert sqs_queue_url(QUEUE) == "http://sqs.eu-west-1.localhost/123456789012/orders"
