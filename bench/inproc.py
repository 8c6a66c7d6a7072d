"""Per-request cost of the ASGI app alone, in-process: no sockets, no uvicorn, no generator.

Calls `app(scope, receive, send)` in a loop and reports microseconds per request, for the
floor app and for postoffice (JSON through the stub SQS, query through STS). The difference is
exactly what postoffice's request path costs; `--profile` shows where (cProfile).

The `sqs-*` cases send real SendMessage / SendMessageBatch(10) requests through postoffice
with the real SQS service and queue engine, on the memory or the sqlite store, from 64
concurrent callers (as 64 connections would: on sqlite, writers share group commits). They
report the CPU time of the whole process per request (the commit thread's included) beside
the wall time: on sqlite the wall time also holds the fsyncs' waiting.

    python -m bench.inproc [--requests 50000] [--repeat 5] [--profile json|sqs-send-memory|...]

`--repeat N` times every case N times and keeps the fastest (other processes on a shared
machine only ever slow a run down).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench import floor_app
from bench.scenarios import SEND, SEND_BATCH, STS_QUERY, STUB_QUEUE_URL, Request, by_name, sqs_json

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def scope_for(request: Request, body: bytes) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1:4566")]
    headers += [(name.lower().encode(), value.encode()) for name, value in request.headers.items()]
    headers.append((b"content-length", str(len(body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 4566),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": request.method,
        "root_path": "",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": b"",
        "headers": headers,
    }


async def drive(app: App, request: Request, count: int, queue_url: str = STUB_QUEUE_URL) -> tuple[float, int]:
    """Seconds per request over `count` requests, and the last status."""
    body = request.fill({"queue_url": queue_url}).body
    bodies = [body.replace("${n}", str(n)).encode() for n in range(64)]
    scopes = [scope_for(request, data) for data in bodies]
    status = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    began = time.perf_counter()
    for n in range(count):
        data = bodies[n & 63]
        message = {"type": "http.request", "body": data, "more_body": False}

        async def receive(message: dict[str, Any] = message) -> dict[str, Any]:
            return message

        await app(scopes[n & 63], receive, send)
    return (time.perf_counter() - began) / count, status


def postoffice_app() -> App:
    from postoffice.config import Settings
    from postoffice.server.main import build_app
    from postoffice.services import registry

    registry.SERVICE_CLASSES = ["postoffice.services.sts.api:Sts", "bench.protocol_server:StubSqs"]
    return build_app(Settings(store="memory", data_dir=tempfile.mkdtemp(prefix="postoffice-inproc-")))


async def call(app: App, request: Request) -> tuple[int, bytes]:
    """One request through the app: its status and body."""
    data = request.body.encode()
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    await app(scope_for(request, data), receive, send)
    return answer["status"], answer["body"]


async def drive_concurrently(
    app: App, request: Request, count: int, queue_url: str, callers: int = 64
) -> tuple[float, float, int]:
    """Wall and CPU seconds per request over `count` requests from `callers` concurrent
    callers, and how many answers were not 200."""
    body = request.fill({"queue_url": queue_url}).body
    bodies = [body.replace("${n}", str(n)).encode() for n in range(64)]
    scopes = [scope_for(request, data) for data in bodies]
    failures = 0

    async def caller(first: int) -> None:
        nonlocal failures
        status = 0

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        for n in range(first, count, callers):
            message = {"type": "http.request", "body": bodies[n & 63], "more_body": False}

            async def receive(message: dict[str, Any] = message) -> dict[str, Any]:
                return message

            await app(scopes[n & 63], receive, send)
            if status != 200:
                failures += 1

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(caller(first) for first in range(callers)))
    return (time.perf_counter() - began) / count, (time.process_time() - cpu) / count, failures


def sqs_app(store: str, loop: asyncio.AbstractEventLoop) -> tuple[App, str]:
    """postoffice with the real SQS on `store`, and the URL of a queue created through it."""
    from postoffice.config import Settings
    from postoffice.server.main import build_app
    from postoffice.services import registry

    kept = registry.SERVICE_CLASSES
    registry.SERVICE_CLASSES = ["postoffice.services.sts.api:Sts", "postoffice.services.sqs.api:Sqs"]
    try:
        app = build_app(Settings(store=store, data_dir=tempfile.mkdtemp(prefix="postoffice-inproc-")))
    finally:
        registry.SERVICE_CLASSES = kept
    status, answer = loop.run_until_complete(call(app, sqs_json("CreateQueue", {"QueueName": f"inproc-{store}"})))
    if status != 200:
        raise SystemExit(f"CreateQueue failed: {status} {answer!r}")
    return app, json.loads(answer)["QueueUrl"]


def sqs_cases() -> dict[str, tuple[str, Request]]:
    return {
        f"{name}-{store}": (store, request)
        for name, request in (("sqs-send", SEND), ("sqs-batch", SEND_BATCH))
        for store in ("memory", "sqlite")
    }


def cases() -> dict[str, tuple[str, Request]]:
    send = by_name(["json"])[0].request
    assert send is not None
    return {"floor": ("floor", send), "json": ("postoffice", send), "query": ("postoffice", STS_QUERY)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inproc")
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is shown")
    parser.add_argument(
        "--profile", choices=["json", "query", *sqs_cases()], help="cProfile this case and print the top"
    )
    parser.add_argument("--only-sqs", action="store_true", help="the sqs-* cases only")
    args = parser.parse_args(argv)
    try:
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    apps: dict[str, App] = {"floor": floor_app.app, "postoffice": postoffice_app()}
    results = {}
    for name, (app_name, request) in cases().items():
        if args.only_sqs and name != "floor":
            continue
        loop.run_until_complete(drive(apps[app_name], request, 2000))
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            loop.run_until_complete(drive(apps[app_name], request, args.requests))
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        runs = [loop.run_until_complete(drive(apps[app_name], request, args.requests)) for _ in range(args.repeat)]
        per_request, status = min(runs)
        results[name] = per_request
        extra = f"  (+{(per_request - results['floor']) * 1e6:.2f} us over the floor)" if name != "floor" else ""
        print(f"{name:6} {per_request * 1e6:7.2f} us/request  status {status}{extra}")
    for name, (store, request) in sqs_cases().items():
        app, queue_url = sqs_app(store, loop)
        loop.run_until_complete(drive_concurrently(app, request, 2000, queue_url))
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            loop.run_until_complete(drive_concurrently(app, request, args.requests, queue_url))
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        runs = [
            loop.run_until_complete(drive_concurrently(app, request, args.requests, queue_url))
            for _ in range(args.repeat)
        ]
        wall, cpu, failures = min(runs, key=lambda run: run[1])
        print(f"{name:18} {cpu * 1e6:7.2f} us CPU/request  {wall * 1e6:7.2f} us wall/request  non-200: {failures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
