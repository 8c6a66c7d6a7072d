"""What Lambda serves over plain HTTP: code downloads (GetFunction's Code.Location) under
/_lambda/code/, and function URLs, by path (`/_lambda/url/<url-id>/<path>`) or by host
(`<url-id>.lambda-url.<region>.localhost`, through `by_host`)."""

from __future__ import annotations

import asyncio
import os
import re
from typing import TYPE_CHECKING

import orjson

from postoffice.protocol.errors import ServiceError
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.runtime import Invocation
from postoffice.services.lambda_.function_urls import url_event, url_response

if TYPE_CHECKING:
    from postoffice.services.lambda_.api import Lambda

PREFIX = "/_lambda/"
_CODE = re.compile(r"^code/([0-9a-f]{64}\.zip)$")
_URL_HOST = re.compile(r"^([a-z0-9]{32})\.lambda-url\.[a-z0-9-]+\.localhost(?::\d+)?$")


def _message(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, orjson.dumps({"Message": message}))


class LambdaHttp:
    def __init__(self, service: Lambda) -> None:
        self.service = service

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path[len(PREFIX) :]
        code = _CODE.match(path)
        if code and request.method in ("GET", "HEAD"):
            return await self._code(code.group(1))
        if path.startswith("url/"):
            url_id, _, rest = path[len("url/") :].partition("/")
            return await self.serve_url(url_id, "/" + rest, request)
        return _message(404, "Not Found")

    async def by_host(self, request: HttpRequest) -> HttpResponse | None:
        """A request to `<url-id>.lambda-url.<region>.localhost`, or None for any other host."""
        host = request.host
        if ".lambda-url." not in host:
            return None
        found = _URL_HOST.match(host.lower())
        if found is None:
            return None
        return await self.serve_url(found.group(1), request.path or "/", request)

    async def _code(self, name: str) -> HttpResponse:
        location = os.path.join(self.service.code.root, name)
        if not os.path.isfile(location):
            return _message(404, "Not Found")
        data = await asyncio.to_thread(_read, location)
        return HttpResponse(200, data, [], "application/zip")

    async def serve_url(self, url_id: str, path: str, request: HttpRequest) -> HttpResponse:
        service = self.service
        found = service.find_url(url_id)
        if found is None:
            return _message(403, "Forbidden")
        function, key = found
        account, region = function.arn.split(":")[4], function.arn.split(":")[3]
        try:
            version, config = service.version_of(function, key or None)
        except ServiceError:
            return _message(403, "Forbidden")
        request_id, event = url_event(request, path, url_id, account, region, service.now())
        invoked = function.arn if not key else f"{function.arn}:{key}"
        invocation = Invocation(request_id, orjson.dumps(event), invoked)
        try:
            outcome = await service.executor.invoke(function, version, config, invocation, wait=False)
        except ServiceError as error:
            return _message(error.status, error.message)
        return url_response(outcome.payload, outcome.failed, request_id)


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()
