"""The Python load generator, run in its own process: reads a JSON spec on stdin, prints a JSON result.

Modes:
  closed          every connection repeats the scenario's request back to back (wrk's model)
  receive-delete  prefill a queue, then ReceiveMessage(10) + DeleteMessageBatch on every connection
  send-receive    a paced producer and long-polling consumers; latency is send start -> received

    echo '{"port": 8000, "mode": "closed", "request": {...}}' | python -m bench.loadgen
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from dataclasses import dataclass
from typing import Any

import orjson

from bench.http_client import Connection, Tally, closed_loop, connect, request_factory
from bench.scenarios import sqs_json


@dataclass
class Spec:
    port: int
    mode: str = "closed"
    host: str = "127.0.0.1"
    connections: int = 64
    duration: float = 10.0
    request: dict[str, Any] | None = None
    options: dict[str, Any] | None = None

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def summary(tally: Tally, units: int | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    elapsed = tally.elapsed or 1e-9
    requests = sum(tally.statuses.values())
    return {
        "requests": requests,
        "ok": tally.ok,
        "errors": tally.errors,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "failures": tally.failures,
        "elapsed": round(elapsed, 3),
        "requests_per_s": round(requests / elapsed, 1),
        "rate": round((tally.ok if units is None else units) / elapsed, 1),
        "p50_ms": round(percentile(tally.latencies, 0.50) * 1000, 3),
        "p99_ms": round(percentile(tally.latencies, 0.99) * 1000, 3),
        **(extra or {}),
    }


async def run_closed(spec: Spec) -> dict[str, Any]:
    assert spec.request is not None
    request = spec.request
    build = request_factory(request["method"], request["path"], spec.authority, request["headers"], request["body"])
    return summary(await closed_loop(spec.host, spec.port, build, spec.connections, spec.duration))


class SqsClient:
    """SQS JSON calls on one connection, timing each one into a shared tally."""

    def __init__(self, connection: Connection, authority: str, queue_url: str, tally: Tally) -> None:
        self.connection = connection
        self.authority = authority
        self.queue_url = queue_url
        self.tally = tally

    async def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any] | None:
        request = sqs_json(operation, {"QueueUrl": self.queue_url, **body})
        data = request_factory(request.method, request.path, self.authority, request.headers, request.body)(0)
        sent = time.perf_counter()
        try:
            status, answer = await self.connection.call(data)
        except ConnectionError:
            self.tally.failures += 1
            return None
        self.tally.count(status, time.perf_counter() - sent)
        return orjson.loads(answer) if 200 <= status < 300 and answer else None

    async def receive(self, wait: int, visibility: int | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"MaxNumberOfMessages": 10, "WaitTimeSeconds": wait}
        if visibility is not None:
            body["VisibilityTimeout"] = visibility
        answer = await self.call("ReceiveMessage", body)
        return list(answer.get("Messages", [])) if answer else []

    async def delete(self, messages: list[dict[str, Any]]) -> int:
        """Delete a received batch; returns how many entries failed."""
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        answer = await self.call("DeleteMessageBatch", {"Entries": entries})
        return len(messages) if answer is None else len(answer.get("Failed", []))


async def _clients(spec: Spec, count: int, tally: Tally) -> list[SqsClient]:
    queue_url = (spec.options or {})["queue_url"]
    return [SqsClient(await connect(spec.host, spec.port), spec.authority, queue_url, tally) for _ in range(count)]


async def run_prefill(spec: Spec) -> dict[str, Any]:
    """Fill the queue with `options.prefill` messages by SendMessageBatch (10 per request)."""
    messages = int((spec.options or {}).get("prefill", 100_000))
    tally = Tally()
    clients = await _clients(spec, min(16, spec.connections), tally)
    batches = iter(range(0, messages, 10))

    async def worker(client: SqsClient) -> None:
        for start in batches:
            entries = [{"Id": str(i), "MessageBody": f"prefill-{start + i}"} for i in range(min(10, messages - start))]
            await client.call("SendMessageBatch", {"Entries": entries})

    began = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    tally.elapsed = time.perf_counter() - began
    for client in clients:
        client.connection.close()
    return summary(tally, units=tally.ok * 10)


async def run_receive_delete(spec: Spec) -> dict[str, Any]:
    tally = Tally()
    clients = await _clients(spec, spec.connections, tally)
    deleted = 0
    failed_deletes = 0
    deadline = time.perf_counter() + spec.duration

    async def worker(client: SqsClient) -> None:
        nonlocal deleted, failed_deletes
        empty = 0
        while time.perf_counter() < deadline and empty < 3:
            messages = await client.receive(wait=0, visibility=120)
            if not messages:
                empty += 1
                continue
            empty = 0
            failed = await client.delete(messages)
            failed_deletes += failed
            deleted += len(messages) - failed

    began = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    tally.elapsed = time.perf_counter() - began
    for client in clients:
        client.connection.close()
    result = summary(tally, units=deleted, extra={"messages": deleted, "failed_deletes": failed_deletes})
    result["errors"] += failed_deletes
    return result


async def run_send_receive(spec: Spec) -> dict[str, Any]:
    """Messages carry their send time; consumers long-poll and measure how long each took to arrive."""
    options = spec.options or {}
    rate = float(options.get("rate", 500))
    producers = int(options.get("producers", 4))
    tally = Tally()
    send_clients = await _clients(spec, producers, tally)
    receive_clients = await _clients(spec, int(options.get("consumers", 4)), tally)
    arrivals: list[float] = []
    sent = 0
    failed_deletes = 0
    began = time.perf_counter()

    async def produce(index: int, client: SqsClient) -> None:
        nonlocal sent
        interval = producers / rate
        due = began + index / rate
        while due < began + spec.duration:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            answer = await client.call("SendMessage", {"MessageBody": repr(time.perf_counter())})
            sent += answer is not None
            due += interval

    async def consume(client: SqsClient) -> None:
        nonlocal failed_deletes
        while True:
            messages = await client.receive(wait=20)
            now = time.perf_counter()
            arrivals.extend(now - float(m["Body"]) for m in messages)
            if messages:
                failed_deletes += await client.delete(messages)

    consumers = [asyncio.ensure_future(consume(c)) for c in receive_clients]
    await asyncio.gather(*(produce(i, c) for i, c in enumerate(send_clients)))
    give_up = time.perf_counter() + 25
    while len(arrivals) < sent and time.perf_counter() < give_up and not all(c.done() for c in consumers):
        await asyncio.sleep(0.02)
    for consumer in consumers:
        consumer.cancel()
    outcomes = await asyncio.gather(*consumers, return_exceptions=True)
    crashes = [repr(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    tally.elapsed = time.perf_counter() - began
    for client in send_clients + receive_clients:
        client.connection.close()
    extra = {
        "sent": sent,
        "received": len(arrivals),
        "lost": max(0, sent - len(arrivals)),
        "failed_deletes": failed_deletes,
        "consumer_crashes": crashes,
        "call_p50_ms": round(percentile(tally.latencies, 0.50) * 1000, 3),
        "call_p99_ms": round(percentile(tally.latencies, 0.99) * 1000, 3),
    }
    result = summary(tally, units=len(arrivals), extra=extra)
    result["p50_ms"] = round(percentile(arrivals, 0.50) * 1000, 3)
    result["p99_ms"] = round(percentile(arrivals, 0.99) * 1000, 3)
    result["errors"] += failed_deletes + extra["lost"] + len(crashes)
    return result


MODES = {
    "closed": run_closed,
    "prefill": run_prefill,
    "receive-delete": run_receive_delete,
    "send-receive": run_send_receive,
}


def main() -> int:
    spec = Spec(**json.loads(sys.stdin.read()))
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    result = runner(MODES[spec.mode](spec))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
