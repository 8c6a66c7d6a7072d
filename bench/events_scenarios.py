"""EventBridge benchmarks: PutEvents throughput, and how long an event takes to reach an SQS target.

    python -m bench.events_scenarios                              # the closed-loop scenarios (bench.run)
    python -m bench.events_scenarios events-put-deliver-sqlite --repeat 3
    python -m bench.events_scenarios latency --store sqlite       # PutEvents -> long-poll receive, p50/p99
    python -m bench.events_scenarios drain --store memory --entries 10

Closed-loop scenarios (bench.run, wrk): PutEvents of 1 or 10 entries on a bus whose one rule
does not match them, or matches and targets an SQS queue. PutEvents answers once it committed
one delivery per matched target; the delivery consumer that sends them to SQS runs in the same
server process, so its work is in the server CPU, but a closed loop does not show whether
deliveries keep up: `drain` does.

`latency`: `--rate` PutEvents per second (1 entry) on 4 connections, paced; 4 consumers
long-poll the target queue (WaitTimeSeconds=20, 10 at a time) and delete. Latency is from the
start of the PutEvents call to the ReceiveMessage answer that carried the event (its detail
holds the send time); the same measure as the sqs-latency scenario.

`drain`: `--events` events put as fast as 64 connections go (`--entries` per PutEvents), then
the time until every one of them is in the target queue: end-to-end events per second, and
per second of server CPU.

The server runs on CPU 0 and this generator on the last CPU, as in bench.run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from bench import run, scenarios
from bench.http_client import Connection, Tally, connect, request_factory
from bench.loadgen import SqsClient, percentile
from bench.scenarios import Request, Scenario, signed_headers
from bench.servers import ChildServer, Placement, machine_busy_seconds

EVENTS_MODULE = "postoffice.services.events"
ACCOUNT = "000000000000"  # the account of scenarios.ACCESS_KEY
QUEUE = "bench-events"
BUS = "orders"
SOURCE = "orders.api"
CONNECTIONS = 64
LATENCY_PRODUCERS = 4


def events_json(operation: str, body: dict[str, Any]) -> Request:
    headers = signed_headers("events", "application/x-amz-json-1.1", f"AWSEvents.{operation}")
    return Request("POST", "/", headers, json.dumps(body, separators=(",", ":")))


def _entry(n: str, detail_type: str = "OrderPlaced", extra: dict[str, Any] | None = None) -> dict[str, str]:
    detail = {"orderId": f"o-{n}", "items": [{"sku": "A-1", "qty": 2}], "total": 49.5, "status": "confirmed"}
    return {
        "Source": SOURCE,
        "DetailType": detail_type,
        "Detail": json.dumps({**detail, **(extra or {})}),
        "EventBusName": BUS,
    }


PUT_ONE = events_json("PutEvents", {"Entries": [_entry("${n}")]})
PUT_TEN = events_json("PutEvents", {"Entries": [_entry(f"${{n}}-{i}") for i in range(10)]})


def route(detail_type: str) -> tuple[Request, ...]:
    """A bus, a queue, and one rule on `detail_type` events of SOURCE that targets the queue."""
    pattern = {"source": [SOURCE], "detail-type": [detail_type]}
    return (
        events_json("CreateEventBus", {"Name": BUS}),
        scenarios.sqs_json("CreateQueue", {"QueueName": QUEUE}),
        events_json(
            "PutRule", {"Name": "route-to-inventory-queue", "EventBusName": BUS, "EventPattern": json.dumps(pattern)}
        ),
        events_json(
            "PutTargets",
            {
                "Rule": "route-to-inventory-queue",
                "EventBusName": BUS,
                "Targets": [{"Id": "inventory", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{QUEUE}"}],
            },
        ),
    )


NO_MATCH = route("OrderCancelled")  # the events put are OrderPlaced
MATCH = route("OrderPlaced")


def _scenarios(store: str) -> list[Scenario]:
    cases = [
        ("put", "PutEvents, rule does not match", PUT_ONE, NO_MATCH),
        ("put-batch", "PutEvents x10, rule does not match", PUT_TEN, NO_MATCH),
        ("put-deliver", "PutEvents -> rule -> SQS target", PUT_ONE, MATCH),
        ("put-batch-deliver", "PutEvents x10 -> rule -> SQS target", PUT_TEN, MATCH),
    ]
    return [
        Scenario(
            f"events-{name}-{store}",
            f"EventBridge {title} ({store})",
            "postoffice",
            request,
            store,
            setup,
            requires=EVENTS_MODULE,
            messages_per_request=10 if request is PUT_TEN else 1,
        )
        for name, title, request, setup in cases
    ]


EVENTS_SCENARIOS = [*_scenarios("memory"), *_scenarios("sqlite")]


# --- latency and drain: client loops of their own ---------------------------------------------


def _put_events(authority: str, entries: list[dict[str, str]]) -> bytes:
    request = events_json("PutEvents", {"Entries": entries})
    return request_factory(request.method, request.path, authority, request.headers, request.body)(0)


async def _checked(connection: Connection, authority: str, request: Request) -> dict[str, Any]:
    status, body = await connection.call(
        request_factory(request.method, request.path, authority, request.headers, request.body)(0)
    )
    if not 200 <= status < 300:
        raise RuntimeError(f"{request.headers.get('X-Amz-Target')} answered {status}: {body[:300]!r}")
    return orjson.loads(body) if body else {}


async def set_up(connection: Connection, authority: str) -> str:
    """The MATCH route; returns the queue URL."""
    queue_url = ""
    for request in MATCH:
        answer = await _checked(connection, authority, request)
        queue_url = answer.get("QueueUrl", queue_url)
    return queue_url


def _failed_entries(status: int, body: bytes) -> int | None:
    """FailedEntryCount of a PutEvents answer; None when the call itself failed."""
    if not 200 <= status < 300:
        return None
    return int(orjson.loads(body).get("FailedEntryCount", 0))


class Window:
    """Server CPU and everything else's CPU over a stretch of wall time."""

    def __init__(self, server: ChildServer) -> None:
        self.server = server
        self.began = time.perf_counter()
        self.server_before = server.cpu_seconds()
        self.busy_before = machine_busy_seconds()
        self.own_before = time.process_time()

    def close(self) -> dict[str, float]:
        wall = time.perf_counter() - self.began
        server = self.server.cpu_seconds() - self.server_before
        own = time.process_time() - self.own_before
        other = max(0.0, machine_busy_seconds() - self.busy_before - server - own)
        return {
            "wall_s": round(wall, 3),
            "server_cpu_s": round(server, 3),
            "server_cpu_pct": round(100 * server / wall),
            "client_cpu_pct": round(100 * own / wall),
            "other_cpu_pct": round(100 * other / wall),
        }


async def measure_latency(server: ChildServer, rate: float, duration: float, consumers: int) -> dict[str, Any]:
    authority = f"127.0.0.1:{server.port}"
    control = await connect("127.0.0.1", server.port)
    queue_url = await set_up(control, authority)
    producers = [await connect("127.0.0.1", server.port) for _ in range(LATENCY_PRODUCERS)]
    tally = Tally()
    receivers = [
        SqsClient(await connect("127.0.0.1", server.port), authority, queue_url, tally) for _ in range(consumers)
    ]
    arrivals: list[float] = []
    put_latencies: list[float] = []
    sent = 0
    failed = 0
    window = Window(server)
    began = time.perf_counter()

    async def produce(index: int, connection: Connection) -> None:
        nonlocal sent, failed
        due = began + index / rate
        while due < began + duration:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            started = time.perf_counter()
            entry = _entry(str(sent), extra={"sent": started})
            status, body = await connection.call(_put_events(authority, [entry]))
            put_latencies.append(time.perf_counter() - started)
            if _failed_entries(status, body) == 0:
                sent += 1
            else:
                failed += 1
            due += LATENCY_PRODUCERS / rate

    async def consume(client: SqsClient) -> None:
        while True:
            messages = await client.receive(wait=20)
            now = time.perf_counter()
            arrivals.extend(now - json.loads(m["Body"])["detail"]["sent"] for m in messages)
            if messages:
                await client.delete(messages)

    consuming = [asyncio.ensure_future(consume(client)) for client in receivers]
    await asyncio.gather(*(produce(index, connection) for index, connection in enumerate(producers)))
    give_up = time.perf_counter() + 25
    while len(arrivals) < sent and time.perf_counter() < give_up and not all(c.done() for c in consuming):
        await asyncio.sleep(0.02)
    usage = window.close()
    for task in consuming:
        task.cancel()
    outcomes = await asyncio.gather(*consuming, return_exceptions=True)
    crashes = [repr(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    for connection in [control, *producers, *(client.connection for client in receivers)]:
        connection.close()
    return {
        "rate": rate,
        "sent": sent,
        "received": len(arrivals),
        "lost": max(0, sent - len(arrivals)),
        "errors": failed + tally.errors + len(crashes),
        "consumer_crashes": crashes,
        "p50_ms": round(percentile(arrivals, 0.50) * 1000, 3),
        "p99_ms": round(percentile(arrivals, 0.99) * 1000, 3),
        "max_ms": round(max(arrivals, default=0.0) * 1000, 3),
        "put_p50_ms": round(percentile(put_latencies, 0.50) * 1000, 3),
        "put_p99_ms": round(percentile(put_latencies, 0.99) * 1000, 3),
        **usage,
    }


async def _queued(connection: Connection, authority: str, queue_url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    request = scenarios.sqs_json("GetQueueAttributes", {"QueueUrl": queue_url, "AttributeNames": names})
    attributes = (await _checked(connection, authority, request))["Attributes"]
    return sum(int(attributes[name]) for name in names)


async def measure_drain(server: ChildServer, events: int, entries: int, connections: int) -> dict[str, Any]:
    authority = f"127.0.0.1:{server.port}"
    control = await connect("127.0.0.1", server.port)
    queue_url = await set_up(control, authority)
    pool = [await connect("127.0.0.1", server.port) for _ in range(connections)]
    requests = range(0, events, entries)
    pending = iter(requests)
    accepted = 0
    errors = 0
    window = Window(server)
    began = time.perf_counter()

    async def worker(connection: Connection) -> None:
        nonlocal accepted, errors
        for start in pending:
            batch = [_entry(f"{start + i}") for i in range(min(entries, events - start))]
            status, body = await connection.call(_put_events(authority, batch))
            failed = _failed_entries(status, body)
            if failed is None:
                errors += len(batch)
            else:
                errors += failed
                accepted += len(batch) - failed

    await asyncio.gather(*(worker(connection) for connection in pool))
    put_done = time.perf_counter()
    delivered = 0
    give_up = put_done + 300
    while time.perf_counter() < give_up:
        delivered = await _queued(control, authority, queue_url)
        if delivered >= accepted:
            break
        await asyncio.sleep(0.02)
    drained = time.perf_counter()
    usage = window.close()
    for connection in [control, *pool]:
        connection.close()
    return {
        "events": events,
        "entries_per_request": entries,
        "accepted": accepted,
        "delivered": delivered,
        "errors": errors + max(0, accepted - delivered),
        "put_s": round(put_done - began, 3),
        "drain_s": round(drained - began, 3),
        "put_events_per_s": round(accepted / (put_done - began)),
        "delivered_per_s": round(delivered / (drained - began)),
        "delivered_per_server_cpu_s": round(delivered / usage["server_cpu_s"]) if usage["server_cpu_s"] else None,
        "backlog_at_put_end_s": round(drained - put_done, 3),
        **usage,
    }


def _pinned() -> Placement:
    """CPU 0 for the server, the last CPU for this process (when there are two or more)."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) < 2:
        return Placement(None)
    os.sched_setaffinity(0, {cpus[-1]})
    return Placement(frozenset(cpus[:1]))


def _run_loop(store: str, measure: Callable[[ChildServer], Any]) -> dict[str, Any]:
    server = ChildServer("postoffice", store, _pinned()).start()
    try:
        try:
            import uvloop

            return uvloop.run(measure(server))
        except ImportError:
            return asyncio.run(measure(server))
    finally:
        server.stop()


def loop_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.events_scenarios", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["latency", "drain"])
    parser.add_argument("--store", nargs="+", default=["memory", "sqlite"], choices=["memory", "sqlite"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per store, each on a fresh server")
    parser.add_argument("--rate", type=float, default=500.0, help="latency: PutEvents per second")
    parser.add_argument("--duration", type=float, default=10.0, help="latency: seconds of sending")
    parser.add_argument("--consumers", type=int, default=4, help="latency: long-polling consumers")
    parser.add_argument("--events", type=int, default=50_000, help="drain: events to put")
    parser.add_argument("--entries", type=int, default=10, help="drain: entries per PutEvents (1-10)")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="drain: keep-alive connections")
    parser.add_argument("--json", metavar="FILE", help="also write every run's figures to FILE")
    args = parser.parse_args(argv)
    runs = []
    for round_number in range(1, args.repeat + 1):
        for store in args.store:
            if args.command == "latency":
                result = _run_loop(store, lambda s: measure_latency(s, args.rate, args.duration, args.consumers))
                summary = (
                    f"{result['received']:,}/{result['sent']:,} received, p50 {result['p50_ms']} ms, "
                    f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms (PutEvents p50 {result['put_p50_ms']} "
                    f"p99 {result['put_p99_ms']} ms)"
                )
            else:
                result = _run_loop(store, lambda s: measure_drain(s, args.events, args.entries, args.connections))
                summary = (
                    f"{result['accepted']:,} events put in {result['put_s']} s ({result['put_events_per_s']:,}/s), "
                    f"all {result['delivered']:,} in the queue after {result['drain_s']} s: "
                    f"{result['delivered_per_s']:,} events/s end to end, "
                    f"{result['delivered_per_server_cpu_s']:,} per server core"
                )
            result |= {"store": store, "round": round_number}
            runs.append(result)
            print(
                f"{args.command} {store} round {round_number}: {summary}; errors {result['errors']}, "
                f"server CPU {result['server_cpu_pct']}%, other CPU {result['other_cpu_pct']}%",
                flush=True,
            )
    if args.json:
        with open(args.json, "wb") as handle:
            handle.write(orjson.dumps(runs, option=orjson.OPT_INDENT_2))
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in ("latency", "drain"):
        return loop_main(arguments)
    known = {scenario.name for scenario in scenarios.SCENARIOS}
    scenarios.SCENARIOS.extend(scenario for scenario in EVENTS_SCENARIOS if scenario.name not in known)
    ours = [scenario.name for scenario in EVENTS_SCENARIOS]
    if "--list" not in arguments and not any(argument in ours for argument in arguments):
        arguments += ours
    return run.main(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
