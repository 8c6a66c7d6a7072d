"""The ASGI application: read a bounded body, route, dispatch, write the answer.

Plain ASGI rather than a web framework: this is the hot path of every request, and the
protocol layer already does the parsing a framework would.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from postoffice.core.system import System
from postoffice.protocol.context import RequestContext
from postoffice.protocol.dispatch import dispatch
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.protocol.sigv4 import account_for_key, credential_scope
from postoffice.server.admin import Admin
from postoffice.server.router import Router

log = logging.getLogger("postoffice.server")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

HostHandler = Callable[[HttpRequest], Awaitable[HttpResponse | None]]

ADMIN_PREFIX = "/_postoffice"


class BodyTooLarge(Exception):
    pass


def _error(status: int, code: str, message: str) -> HttpResponse:
    return HttpResponse(status, orjson.dumps({"__type": code, "message": message}))


class RequestIds:
    """UUID-shaped request ids: a random prefix per process and a counter.

    uuid4() reads the OS random source on every call (about 2 us, more than decoding a whole
    SendMessage); a counter behind a random prefix is unique per process. `next` makes one
    in 0.16 us: a chain of C iterators (count, mask to 48 bits, format), no Python frame.
    """

    def __init__(self) -> None:
        r = os.urandom(10).hex()
        variant = "89ab"[int(r[16], 16) & 3]
        template = f"{r[:8]}-{r[8:12]}-4{r[12:15]}-{variant}{r[15:18]}-%012x"
        counter = itertools.count(int.from_bytes(os.urandom(4), "big"))
        self.next: Callable[[], str] = map(template.__mod__, map(0xFFFFFFFFFFFF.__and__, counter)).__next__

    def __call__(self) -> str:
        return self.next()


class Application:
    def __init__(self, system: System, lifespan: Callable[[str], Awaitable[None]] | None = None) -> None:
        self.system = system
        self.router = Router(system.services)
        self.admin = Admin(system)
        self.max_body = system.settings.max_body_bytes
        self._lifespan = lifespan
        self.request_id = RequestIds()
        self._next_request_id = self.request_id.next
        self.extra_routes: list[tuple[str, Callable[[HttpRequest], Awaitable[HttpResponse]]]] = []
        self._extra_prefixes: tuple[str, ...] = ()
        self.host_routes: list[HostHandler] = []

    def mount(self, prefix: str, handler: Callable[[HttpRequest], Awaitable[HttpResponse]]) -> None:
        """Serve every path under `prefix` with `handler` (execute-api paths, function URLs...)."""
        self.extra_routes.append((prefix, handler))
        self._extra_prefixes = tuple(prefix for prefix, _ in self.extra_routes)

    def mount_host(self, handler: HostHandler) -> None:
        """Let `handler` answer requests by their Host (`<id>.execute-api.localhost`...).

        It returns None for a host it does not serve; keep that check cheap (a substring
        test), since every request passes through it."""
        self.host_routes.append(handler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # An HTTP request is served right here, its common case inline (a body in one message,
        # an answer with a few headers): every coroutine less is ~0.1 us on a path of a few.
        kind = scope["type"]
        if kind != "http":
            if kind == "lifespan":
                await self._lifespan_events(receive, send)
            return
        message = await receive()
        body = message.get("body", b"")
        if message.get("more_body") or len(body) > self.max_body:
            try:
                body = await self._read_rest(message, receive)
            except BodyTooLarge:
                await _write(send, _error(413, "RequestEntityTooLarge", "Request body is too large."), "")
                return
        headers = {}
        for name, value in scope["headers"]:
            key = _header_names.get(name)
            if key is None:
                key = _header_name(name)
            headers[key] = value.decode("latin-1")
        client = scope.get("client")
        request = HttpRequest(
            scope["method"],
            scope["path"],
            scope["query_string"].decode("latin-1"),
            headers,
            body,
            client[0] if client else "",
            (scope.get("raw_path") or b"").decode("latin-1"),
        )
        request_id = self._next_request_id()
        try:
            response = await self.handle(request, request_id)
        except Exception:
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = _error(500, "InternalFailure", "The request processing has failed.")
        await send(
            {"type": "http.response.start", "status": response.status, "headers": _headers(response, request_id)}
        )
        await send({"type": "http.response.body", "body": response.body})

    async def _lifespan_events(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self._lifespan:
                        await self._lifespan("startup")
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._lifespan:
                    await self._lifespan("shutdown")
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _read_rest(self, message: dict[str, Any], receive: Receive) -> bytes:
        """The whole body of a request whose first message did not hold all of it (or too much)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > self.max_body:
                    if message.get("more_body"):
                        await _discard(receive, limit=4 * self.max_body)
                    raise BodyTooLarge
                chunks.append(chunk)
            if not message.get("more_body"):
                break
            message = await receive()
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def handle(self, request: HttpRequest, request_id: str) -> HttpResponse:
        path = request.path
        if path.startswith(ADMIN_PREFIX):
            return await self.admin.handle(request)
        if self.extra_routes and path.startswith(self._extra_prefixes):
            for prefix, handler in self.extra_routes:
                if path.startswith(prefix):
                    return await handler(request)
        for by_host in self.host_routes:
            answer = await by_host(request)
            if answer is not None:
                return answer
        scope = credential_scope(request)
        route = self.router.route(request, scope)
        if route is None:
            return _error(400, "UnrecognizedClientException", "No AWS service here answers this request.")
        settings = self.system.settings
        access_key = scope.access_key
        ctx = RequestContext(
            route.service.name,
            account_for_key(access_key, settings.default_account),
            scope.region or settings.default_region,
            request_id,
            "",
            "",
            access_key,
            request,
        )
        return await dispatch(route.service, route.wire, request, ctx)


_header_names: dict[bytes, str] = {}
_HEADER_NAME_CACHE_SIZE = 256


def _header_name(raw: bytes) -> str:
    """A header name as text, remembered: clients send the same few names on every request."""
    name = raw.decode("latin-1")
    if len(_header_names) < _HEADER_NAME_CACHE_SIZE:
        _header_names[raw] = name
    return name


async def _discard(receive: Receive, limit: int) -> None:
    """Read and drop the rest of a refused body so the client can read our 413 answer."""
    size = 0
    while size < limit:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            return


_content_types: dict[str, tuple[bytes, bytes]] = {}
_names_out: dict[str, bytes] = {}


async def _write(send: Send, response: HttpResponse, request_id: str) -> None:
    await send({"type": "http.response.start", "status": response.status, "headers": _headers(response, request_id)})
    await send({"type": "http.response.body", "body": response.body})


def _headers(response: HttpResponse, request_id: str) -> list[tuple[bytes, bytes]]:
    content_type = _content_types.get(response.content_type)
    if content_type is None:
        content_type = _content_types[response.content_type] = (b"content-type", response.content_type.encode())
    headers = [content_type, (b"content-length", b"%d" % len(response.body))]
    has_id = False
    for name, value in response.headers:
        raw = _names_out.get(name)
        if raw is None:
            raw = name.encode("latin-1")
            if len(_names_out) < _HEADER_NAME_CACHE_SIZE:
                _names_out[name] = raw
        if name == "x-amzn-RequestId":
            has_id = True
        headers.append((raw, value.encode("latin-1")))
    if request_id and not has_id:
        headers.append((b"x-amzn-requestid", request_id.encode()))
    return headers
