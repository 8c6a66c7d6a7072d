"""A minimal HTTP/1.1 keep-alive client on raw asyncio transports, parsed by httptools.

Two ways to use a connection: `closed_loop` drives it from callbacks only (no coroutine per
request, so the client stays cheap), and `Connection.call` awaits one answer at a time for
loops that read the answers (receive-then-delete, latency).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httptools

RequestFactory = Callable[[int], bytes]


def request_factory(method: str, path: str, host: str, headers: dict[str, str], body: str) -> RequestFactory:
    """Bytes of request number n; a `${n}` in the body becomes n (constant bodies are built once)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    if "${n}" not in body:
        data = body.encode()
        fixed = head.encode() + b"Content-Length: %d\r\n\r\n" % len(data) + data
        return lambda n: fixed
    pieces = [piece.encode() for piece in body.split("${n}")]
    head_bytes = head.encode()

    def build(n: int) -> bytes:
        data = str(n).encode().join(pieces)
        return head_bytes + b"Content-Length: %d\r\n\r\n" % len(data) + data

    return build


@dataclass
class Tally:
    """What a run saw: answers by status, transport failures, latencies in seconds."""

    ok: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if not 200 <= status < 300) + self.failures

    def count(self, status: int, latency: float) -> None:
        if 200 <= status < 300:
            self.ok += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(latency)


class Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.body_parts: list[bytes] = []
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.on_answer: Callable[[int, bytes], None] | None = None
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(exc)
        if self.waiter and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection closed"))

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if self.transport:
                self.transport.close()
            if self.waiter and not self.waiter.done():
                self.waiter.set_exception(ConnectionError(str(exc)))

    def on_body(self, body: bytes) -> None:
        self.body_parts.append(body)

    def on_message_complete(self) -> None:
        status = self.parser.get_status_code()
        body = b"".join(self.body_parts) if self.body_parts else b""
        self.body_parts = []
        if self.on_answer is not None:
            self.on_answer(status, body)
        elif self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, body))

    async def call(self, request: bytes) -> tuple[int, bytes]:
        """Send one request and wait for its answer (status, body)."""
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter

    def close(self) -> None:
        if self.transport:
            self.transport.close()


async def connect(host: str, port: int) -> Connection:
    loop = asyncio.get_running_loop()
    _, connection = await loop.create_connection(Connection, host, port)
    return connection


async def closed_loop(host: str, port: int, build: RequestFactory, connections: int, duration: float) -> Tally:
    """Each connection sends its next request as soon as the last answer arrives, for `duration` s."""
    tally = Tally()
    pool = [await connect(host, port) for _ in range(connections)]
    done = asyncio.get_running_loop().create_future()
    counter = 0
    active = len(pool)
    perf = time.perf_counter
    began = perf()
    deadline = began + duration

    def start(connection: Connection) -> None:
        nonlocal counter
        counter += 1
        sent = perf()

        def answered(status: int, body: bytes) -> None:
            nonlocal active
            now = perf()
            tally.count(status, now - sent)
            if now < deadline and connection.transport and not connection.transport.is_closing():
                start(connection)
            else:
                active -= 1
                if active == 0 and not done.done():
                    done.set_result(None)

        connection.on_answer = answered
        assert connection.transport is not None
        connection.transport.write(build(counter))

    def broken(connection: Connection, future: asyncio.Future[Exception | None]) -> None:
        nonlocal active
        if perf() < deadline:
            tally.failures += 1
            active -= 1
            if active == 0 and not done.done():
                done.set_result(None)

    for connection in pool:
        connection.lost.add_done_callback(lambda future, c=connection: broken(c, future))
        start(connection)
    try:
        await asyncio.wait_for(done, duration + 30)
    except TimeoutError:
        tally.failures += active
    tally.elapsed = perf() - began
    for connection in pool:
        connection.close()
    return tally
