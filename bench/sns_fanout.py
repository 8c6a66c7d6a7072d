"""SNS fan-out: Publish latency at a steady rate, and deliveries per second, with 1, 10 and 100
SQS subscribers. Publish only commits one engine message, so its latency should not grow with
the number of subscribers; fan-out does the per-subscriber work afterwards.

    python -m bench.sns_fanout                                   # memory store, 1/10/100 subscribers
    python -m bench.sns_fanout --store sqlite --subscribers 1 100 --rate 50 --duration 10 --burst 2000

Per subscriber count, on a fresh server (pinned to CPU 0; this generator to the last CPU):

1. steady: `--rate` publishes per second for `--duration` seconds on 8 keep-alive connections
   (an open loop: each publish is due at its time, whatever the answers before it); Publish
   latency p50 / p99 as the client saw it; then how long until every delivery was in its queue.
2. burst: `--burst` publishes as fast as 8 connections go, then the time until all of them are
   in every queue: deliveries per second = burst x subscribers / (end of fan-out - first publish).

Deliveries are counted with SQS GetQueueAttributes (ApproximateNumberOfMessages, exact here) once
publishing is over, so the counting does not disturb the latency figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any
from urllib.parse import quote

import orjson

from bench.http_client import Connection, connect
from bench.loadgen import percentile
from bench.scenarios import signed_headers, sqs_json
from bench.servers import ChildServer, Placement, machine_busy_seconds
from bench.sns_scenarios import ACCOUNT, FORM, TOPIC

CONNECTIONS = 8


def _request(method: str, authority: str, headers: dict[str, str], body: str) -> bytes:
    data = body.encode()
    head = f"{method} / HTTP/1.1\r\nHost: {authority}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"Content-Length: %d\r\n\r\n" % len(data) + data


def publish_request(authority: str, number: int) -> bytes:
    message = quote(f'{{"order":{number},"sku":"A-1","qty":2}}', safe="")
    body = f"Action=Publish&Version=2010-03-31&TopicArn={quote(TOPIC, safe='')}&Message={message}"
    return _request("POST", authority, signed_headers("sns", FORM), body)


def sns_call(authority: str, action: str, **params: str) -> bytes:
    fields = {"Action": action, "Version": "2010-03-31", **params}
    body = "&".join(f"{key}={quote(value, safe='')}" for key, value in fields.items())
    return _request("POST", authority, signed_headers("sns", FORM), body)


def sqs_call(authority: str, operation: str, body: dict[str, Any]) -> bytes:
    request = sqs_json(operation, body)
    return _request(request.method, authority, request.headers, request.body)


async def checked(connection: Connection, request: bytes) -> bytes:
    status, body = await connection.call(request)
    if not 200 <= status < 300:
        raise RuntimeError(f"setup answered {status}: {body[:300]!r}")
    return body


async def set_up(connection: Connection, authority: str, subscribers: int) -> list[str]:
    await checked(connection, sns_call(authority, "CreateTopic", Name="bench-orders"))
    urls = []
    for index in range(subscribers):
        name = f"bench-subscriber-{index}"
        answer = orjson.loads(await checked(connection, sqs_call(authority, "CreateQueue", {"QueueName": name})))
        urls.append(answer["QueueUrl"])
        endpoint = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
        await checked(
            connection,
            sns_call(authority, "Subscribe", TopicArn=TOPIC, Protocol="sqs", Endpoint=endpoint),
        )
    return urls


async def queued(connection: Connection, authority: str, urls: list[str]) -> int:
    total = 0
    for url in urls:
        body = {"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]}
        answer = orjson.loads(await checked(connection, sqs_call(authority, "GetQueueAttributes", body)))
        total += int(answer["Attributes"]["ApproximateNumberOfMessages"])
    return total


async def wait_delivered(connection: Connection, authority: str, urls: list[str], expected: int) -> float:
    """perf_counter() when every expected delivery was queued (polled every 50 ms)."""
    give_up = time.perf_counter() + 300
    while time.perf_counter() < give_up:
        if await queued(connection, authority, urls) >= expected:
            return time.perf_counter()
        await asyncio.sleep(0.05)
    raise RuntimeError(f"fan-out did not finish: expected {expected} deliveries")


async def purge(connection: Connection, authority: str, urls: list[str]) -> None:
    for url in urls:
        await checked(connection, sqs_call(authority, "PurgeQueue", {"QueueUrl": url}))


async def steady(
    connections: list[Connection], authority: str, rate: float, duration: float
) -> tuple[list[float], int, float, int]:
    latencies: list[float] = []
    errors = 0
    count = int(rate * duration)
    began = time.perf_counter()

    async def worker(index: int, connection: Connection) -> None:
        nonlocal errors
        for number in range(index, count, len(connections)):
            delay = began + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent = time.perf_counter()
            status, _ = await connection.call(publish_request(authority, number))
            latencies.append(time.perf_counter() - sent)
            errors += not 200 <= status < 300

    await asyncio.gather(*(worker(index, connection) for index, connection in enumerate(connections)))
    return latencies, errors, began, count


async def burst(connections: list[Connection], authority: str, count: int) -> tuple[float, int]:
    errors = 0
    began = time.perf_counter()

    async def worker(index: int, connection: Connection) -> None:
        nonlocal errors
        for number in range(index, count, len(connections)):
            status, _ = await connection.call(publish_request(authority, number))
            errors += not 200 <= status < 300

    await asyncio.gather(*(worker(index, connection) for index, connection in enumerate(connections)))
    return began, errors


async def measure(
    server: ChildServer, subscribers: int, rate: float, duration: float, burst_size: int
) -> dict[str, Any]:
    authority = f"127.0.0.1:{server.port}"

    async def connections(count: int) -> list[Connection]:
        """Fresh keep-alive connections for each phase: the server closes idle ones after 5 s."""
        return [await connect("127.0.0.1", server.port) for _ in range(count)]

    [control] = await connections(1)
    urls = await set_up(control, authority, subscribers)
    publishers = await connections(CONNECTIONS)

    cpu_before, busy_before, wall_before = server.cpu_seconds(), machine_busy_seconds(), time.perf_counter()
    latencies, errors, began, count = await steady(publishers, authority, rate, duration)
    publishing_done = time.perf_counter()
    control.close()
    [control] = await connections(1)
    delivered_at = await wait_delivered(control, authority, urls, count * subscribers)
    server_cpu = server.cpu_seconds() - cpu_before
    wall = time.perf_counter() - wall_before
    other_cpu = max(0.0, machine_busy_seconds() - busy_before - server_cpu) / wall
    await purge(control, authority, urls)

    for connection in publishers:
        connection.close()
    publishers = await connections(CONNECTIONS)
    burst_began, burst_errors = await burst(publishers, authority, burst_size)
    burst_published = time.perf_counter()
    control.close()
    [control] = await connections(1)
    burst_done = await wait_delivered(control, authority, urls, burst_size * subscribers)
    for connection in [control, *publishers]:
        connection.close()
    return {
        "subscribers": subscribers,
        "rate": rate,
        "publishes": count,
        "errors": errors + burst_errors,
        "publish_p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "publish_p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "fanout_lag_ms": round((delivered_at - publishing_done) * 1000, 1),
        "server_cpu_pct": round(100 * server_cpu / wall),
        "other_cpu_pct": round(100 * other_cpu),
        "burst": burst_size,
        "burst_publishes_per_s": round(burst_size / (burst_published - burst_began)),
        "deliveries_per_s": round(burst_size * subscribers / (burst_done - burst_began)),
        "steady_elapsed_s": round(publishing_done - began, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="memory", choices=("memory", "sqlite"))
    parser.add_argument("--subscribers", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--rate", type=float, default=50.0, help="publishes per second in the steady phase")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of the steady phase")
    parser.add_argument("--burst", type=int, default=2000, help="publishes in the burst phase")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpus = frozenset(cpus[:1]) if len(cpus) >= 2 else None
    if len(cpus) >= 2:
        os.sched_setaffinity(0, {cpus[-1]})
    results = []
    for subscribers in args.subscribers:
        server = ChildServer("postoffice", args.store, Placement(server_cpus)).start()
        try:
            result = asyncio.run(measure(server, subscribers, args.rate, args.duration, args.burst))
        finally:
            server.stop()
        results.append(result)
        print(
            f"{args.store} {subscribers:>3} subscribers: publish p50 {result['publish_p50_ms']} ms "
            f"p99 {result['publish_p99_ms']} ms at {args.rate:.0f}/s (fan-out done {result['fanout_lag_ms']} ms "
            f"after the last publish, server CPU {result['server_cpu_pct']}%, other CPU {result['other_cpu_pct']}%); "
            f"burst of {args.burst}: {result['burst_publishes_per_s']:,} publishes/s, "
            f"{result['deliveries_per_s']:,} deliveries/s, errors {result['errors']}",
            flush=True,
        )
    if args.json:
        with open(args.json, "wb") as handle:
            handle.write(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
