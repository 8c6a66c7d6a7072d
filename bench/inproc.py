"""Per-request cost of the ASGI app alone, in-process: no sockets, no uvicorn, no generator.

Calls `app(scope, receive, send)` in a loop and reports microseconds per request, for the
floor app and for postoffice (JSON through the stub SQS, query through STS). The difference is
exactly what postoffice's request path costs; `--profile` shows where (cProfile).

    python -m bench.inproc [--requests 50000] [--profile json]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench import floor_app
from bench.scenarios import STS_QUERY, STUB_QUEUE_URL, Request, by_name

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


async def drive(app: App, request: Request, count: int) -> tuple[float, int]:
    """Seconds per request over `count` requests, and the last status."""
    body = request.fill({"queue_url": STUB_QUEUE_URL}).body
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


def cases() -> dict[str, tuple[str, Request]]:
    send = by_name(["json"])[0].request
    assert send is not None
    return {"floor": ("floor", send), "json": ("postoffice", send), "query": ("postoffice", STS_QUERY)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inproc")
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--profile", choices=["json", "query"], help="cProfile this case and print the top")
    args = parser.parse_args(argv)
    try:
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    apps: dict[str, App] = {"floor": floor_app.app, "postoffice": postoffice_app()}
    results = {}
    for name, (app_name, request) in cases().items():
        loop.run_until_complete(drive(apps[app_name], request, 2000))
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            loop.run_until_complete(drive(apps[app_name], request, args.requests))
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        per_request, status = loop.run_until_complete(drive(apps[app_name], request, args.requests))
        results[name] = per_request
        extra = f"  (+{(per_request - results['floor']) * 1e6:.2f} us over the floor)" if name != "floor" else ""
        print(f"{name:6} {per_request * 1e6:7.2f} us/request  status {status}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
