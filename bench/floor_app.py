"""The floor: a bare ASGI app answering every request with an SQS SendMessage-shaped answer.

It reads the body and writes a constant response, nothing else, and is served with the same
uvicorn settings as `postoffice serve` (uvloop, httptools, no access log, no Server/Date
headers, no proxy-header rewriting). Whatever postoffice costs on top of this is postoffice's own.

    python -m bench.floor_app --port 8000
    python -m bench.floor_app --port 8000 --work-us 5   # plus 5 us of busy work per request

`--work-us` calibrates what a microsecond of Python work per request costs in requests/s on
this machine (see bench/README.md).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable
from typing import Any

BODY = b'{"MD5OfMessageBody":"fafb00f5732ab283681e124bf8747ed1","MessageId":"5fea7756-0ea4-451a-a703-a558b933e274"}'
HEADERS = [
    (b"content-type", b"application/x-amz-json-1.0"),
    (b"content-length", str(len(BODY)).encode()),
    (b"x-amzn-requestid", b"c6a4b2f0-8a1e-4e52-9d1b-2f1d3c7e9a10"),
]
START = {"type": "http.response.start", "status": 200, "headers": HEADERS}
FINISH = {"type": "http.response.body", "body": BODY}


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send(START)
    await send(FINISH)


def busy(work_us: float) -> Callable[..., Awaitable[None]]:
    """The floor app plus `work_us` microseconds of spinning per request (CPU time, so that
    being preempted does not shorten the work)."""
    seconds = work_us / 1e6
    clock = time.thread_time

    async def app_with_work(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        end = clock() + seconds
        while clock() < end:
            pass
        await send(START)
        await send(FINISH)

    return app_with_work


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.floor_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--work-us", type=float, default=0.0, help="busy work per request, in microseconds")
    args = parser.parse_args(argv)
    uvicorn.run(
        busy(args.work_us) if args.work_us > 0 else app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
        proxy_headers=False,  # as `postoffice serve`: the comparison stays fair
    )


if __name__ == "__main__":
    main()
