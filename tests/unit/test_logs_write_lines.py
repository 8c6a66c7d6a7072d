"""The in-process entry other services (Lambda, EventBridge) use to write logs."""

import asyncio

import pytest

from postoffice.config import Settings
from postoffice.core.clock import VirtualClock
from postoffice.core.store.records import SCHEMA as RECORDS_SCHEMA
from postoffice.core.store.sqlite import MemoryStore
from postoffice.core.system import System
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.logs.api import Logs

ACCOUNT, REGION = "123456789012", "eu-west-1"


@pytest.fixture
def logs() -> Logs:
    store = MemoryStore()
    store.migrate("records", RECORDS_SCHEMA)
    return Logs(System(settings=Settings(), store=store, clock=VirtualClock(start=1_750_000_000.0)))


def _ctx() -> RequestContext:
    return RequestContext(service="logs", account=ACCOUNT, region=REGION, request_id="r")


def test_write_lines_creates_group_and_stream_and_keeps_lines_in_time_order(logs: Logs) -> None:
    now = logs.now_ms()
    lines = [(now + 2, "END RequestId: 1"), (now, "START RequestId: 1"), (now + 1, "hello")]
    asyncio.run(logs.write_lines(ACCOUNT, REGION, "/aws/lambda/fn", "2025/06/15/[$LATEST]abc", lines))
    groups = logs.DescribeLogGroups(_ctx(), {})["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/aws/lambda/fn"]
    streams = logs.DescribeLogStreams(_ctx(), {"logGroupName": "/aws/lambda/fn"})["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["2025/06/15/[$LATEST]abc"]
    events = logs.GetLogEvents(
        _ctx(), {"logGroupName": "/aws/lambda/fn", "logStreamName": "2025/06/15/[$LATEST]abc", "startFromHead": True}
    )["events"]
    assert [e["message"] for e in events] == ["START RequestId: 1", "hello", "END RequestId: 1"]


def test_write_lines_appends_to_existing_group_and_drops_expired_lines(logs: Logs) -> None:
    async def scenario() -> None:
        await logs.CreateLogGroup(_ctx(), {"logGroupName": "/aws/lambda/fn"})
        await logs.PutRetentionPolicy(_ctx(), {"logGroupName": "/aws/lambda/fn", "retentionInDays": 1})
        now = logs.now_ms()
        await logs.write_lines(ACCOUNT, REGION, "/aws/lambda/fn", "s", [(now - 2 * 86_400_000, "old"), (now, "new")])
        await logs.write_lines(ACCOUNT, REGION, "/aws/lambda/fn", "s", [(now + 1, "newer")])

    asyncio.run(scenario())
    result = logs.FilterLogEvents(_ctx(), {"logGroupName": "/aws/lambda/fn"})
    assert [e["message"] for e in result["events"]] == ["new", "newer"]
    described = logs.DescribeLogGroups(_ctx(), {})["logGroups"][0]
    assert described["retentionInDays"] == 1


def test_other_accounts_do_not_see_the_lines(logs: Logs) -> None:
    asyncio.run(logs.write_lines(ACCOUNT, REGION, "/aws/lambda/fn", "s", [(logs.now_ms(), "x")]))
    other = RequestContext(service="logs", account="000000000000", region=REGION, request_id="r")
    assert logs.DescribeLogGroups(other, {})["logGroups"] == []
    with pytest.raises(ServiceError) as error:
        logs.GetLogEvents(other, {"logGroupName": "/aws/lambda/fn", "logStreamName": "s"})
    assert error.value.code == "ResourceNotFoundException"
