"""What each stage of postoffice's request path costs, in process (timeit, best of N).

The same app as `bench.inproc` (STS and the stub SQS), the same two requests (JSON
SendMessage, query GetCallerIdentity); every stage is called the way the app calls it, on a
request the app itself built. A protocol may remember what it parsed in the request (the
query form): the stages that come first in a request (routing, operation_name) and the
whole-path rows make it forget first (the first row's cost, included in theirs); the later
stages find it as operation_name left it. `app, whole` is one request through the ASGI interface
(`bench.inproc`'s figure without its loop); the stages inside `app.handle` add up to a
little less than it (the calls between them).

    python -m bench.stages [--number 20000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import timeit
from collections.abc import Callable, Coroutine
from typing import Any

from bench.inproc import cases, postoffice_app, scope_for
from bench.scenarios import STUB_QUEUE_URL, Request
from postoffice.protocol.context import RequestContext
from postoffice.protocol.dispatch import dispatch
from postoffice.protocol.http import HttpRequest
from postoffice.protocol.models import operation_model
from postoffice.protocol.sigv4 import account_for_key, credential_scope
from postoffice.protocol.validate import validate
from postoffice.server.app import Application


def _built_request(app: Application, request: Request) -> tuple[dict[str, Any], bytes, HttpRequest]:
    """The ASGI scope and body of `request`, and the HttpRequest the app builds from them."""
    body = request.fill({"queue_url": STUB_QUEUE_URL}).body.replace("${n}", "7").encode()
    scope = scope_for(request, body)
    seen: list[HttpRequest] = []
    handle = app.handle

    async def spy(built: HttpRequest, request_id: str) -> Any:
        seen.append(built)
        return await handle(built, request_id)

    app.handle = spy  # type: ignore[method-assign]
    try:
        asyncio.run(_call(app, scope, body))
    finally:
        del app.handle
    return scope, body, seen[0]


async def _call(app: Application, scope: dict[str, Any], body: bytes) -> None:
    message = {"type": "http.request", "body": body, "more_body": False}

    async def receive() -> dict[str, Any]:
        return message

    async def send(message: dict[str, Any]) -> None:
        return None

    await app(scope, receive, send)


def stages(app: Application, request: Request) -> list[tuple[str, Callable[[], Any]]]:
    scope, body, built = _built_request(app, request)
    credentials = credential_scope(built)
    route = app.router.route(built, credentials)
    assert route is not None
    service, wire = route.service, route.wire
    settings = app.system.settings

    def context() -> RequestContext:
        return RequestContext(service.name, settings.default_account, "us-east-1", "id", "", "", "", built)

    ctx = context()
    name = wire.operation_name(service, built)
    ctx.operation, ctx.protocol = name, wire.name
    operation = operation_model(service.model_name or service.name, name)
    assert operation is not None
    params, checked = wire.parse_checked(service, operation, built)
    entry = service.operations[name]
    result = entry.method(ctx, params)

    def fresh() -> HttpRequest:
        # a protocol may remember what it parsed in the request (the query form): forget it
        built.memo.clear()
        return built

    return [
        ("(forgetting what the request remembers)", fresh),
        ("credential_scope", lambda: credential_scope(built)),
        ("account_for_key", lambda: account_for_key(credentials.access_key, settings.default_account)),
        ("router.route", lambda: app.router.route(fresh(), credentials)),
        ("RequestContext(...)", context),
        ("HttpRequest(...)", lambda: HttpRequest(built.method, built.path, "", built.headers, body, "", "/")),
        ("wire.operation_name", lambda: wire.operation_name(service, fresh())),
        # as in a request, after operation_name: what it parsed (the query form) is kept
        ("wire.parse_checked", lambda: wire.parse_checked(service, operation, built)),
        (f"validate (skipped: parse_checked said {checked})", lambda: validate(operation.input_shape, params)),
        ("the operation", lambda: entry.method(ctx, params)),
        ("wire.serialize", lambda: wire.serialize(service, operation, result, ctx)),
        ("dispatch, whole", lambda: _run(dispatch(service, wire, fresh(), context()))),
        ("app.handle, whole", lambda: _run(app.handle(fresh(), "id"))),
        ("app, whole (ASGI)", lambda: _run(_call(app, scope, body))),
    ]


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never waits, without an event loop's per-call overhead."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the request path waited for something")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stages")
    parser.add_argument("--number", type=int, default=20_000, help="calls per timing")
    parser.add_argument("--repeat", type=int, default=7, help="timings per stage; the fastest is shown")
    args = parser.parse_args(argv)
    app = postoffice_app()
    for case, (_, request) in cases().items():
        if case == "floor":
            continue
        print(f"{case}:")
        for label, call in stages(app, request):
            best = min(timeit.repeat(call, number=args.number, repeat=args.repeat)) / args.number
            print(f"  {label:45} {best * 1e6:6.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
