"""bench.inproc's SQS cases: real SendMessage / SendMessageBatch requests through the app."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import inproc  # noqa: E402
from bench.scenarios import SEND, SEND_BATCH  # noqa: E402


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_sqs_cases_send_real_messages(store: str) -> None:
    loop = asyncio.new_event_loop()
    try:
        app, queue_url = inproc.sqs_app(store, loop)
        for request in (SEND, SEND_BATCH):
            wall, cpu, failures = loop.run_until_complete(
                inproc.drive_concurrently(app, request, 200, queue_url, callers=8)
            )
            assert failures == 0 and wall > 0 and cpu > 0
        status, body = loop.run_until_complete(
            inproc.call(
                app,
                inproc.sqs_json(
                    "GetQueueAttributes", {"QueueUrl": queue_url, "AttributeNames": ["ApproximateNumberOfMessages"]}
                ),
            )
        )
        assert status == 200
        assert b'"ApproximateNumberOfMessages":"2200"' in body
    finally:
        loop.close()
