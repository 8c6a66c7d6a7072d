"""The admin API under /_postoffice/: health, reset, clock."""

from __future__ import annotations

from typing import Any

import orjson

from postoffice import __version__
from postoffice.core.clock import VirtualClock
from postoffice.core.system import System
from postoffice.protocol.http import HttpRequest, HttpResponse


def _json(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(status, orjson.dumps(payload))


def _bad_request(message: str) -> HttpResponse:
    return _json(400, {"error": "BadRequest", "message": message})


class Admin:
    def __init__(self, system: System) -> None:
        self.system = system
        self.routes = {
            "/_postoffice/health": self.health,
            "/_postoffice/reset": self.reset,
            "/_postoffice/clock": self.clock,
        }
        for service in system.services.values():  # a service's own admin resources, e.g. SNS's
            self.routes.update(getattr(service, "admin_routes", dict)())

    async def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.path.rstrip("/")
        handler = self.routes.get(path) or self.routes.get(path.rpartition("/")[0] + "/")
        if handler is None:
            return _json(404, {"error": "NotFound", "message": f"No admin resource at {request.path}"})
        body: dict[str, Any] = {}
        if request.body.strip():
            try:
                body = orjson.loads(request.body)
            except orjson.JSONDecodeError:
                return _bad_request("The body is not valid JSON.")
            if not isinstance(body, dict):
                return _bad_request("The body must be a JSON object.")
        return await handler(request, body)

    async def health(self, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
        system = self.system
        return _json(
            200,
            {
                "status": "ok",
                "version": __version__,
                "store": system.store.describe(),
                "clock": {"kind": system.clock.kind, "now": system.clock.now()},
                "endpoint": system.settings.endpoint,
                "services": {name: service.status() for name, service in sorted(system.services.items())},
            },
        )

    async def reset(self, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
        if request.method not in ("POST", "DELETE"):
            return _json(405, {"error": "MethodNotAllowed", "message": "Use POST to reset."})
        name = body.get("service") or request.query_value("service")
        services = self.system.services
        if name is not None and name not in services:
            return _bad_request(f"Unknown service {name!r}.")
        targets = [services[name]] if name else list(services.values())
        for service in targets:
            await service.reset()
        return _json(200, {"reset": sorted(service.name for service in targets)})

    async def clock(self, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
        clock = self.system.clock
        if request.method == "GET":
            return _json(200, {"kind": clock.kind, "now": clock.now()})
        if not isinstance(clock, VirtualClock):
            return _bad_request("The clock is real; start the server with --clock virtual to move it.")
        advance, target = body.get("advance"), body.get("set")
        try:
            if advance is not None:
                await clock.advance(_seconds(advance))
            elif target is not None:
                await clock.set(_seconds(target))
            else:
                return _bad_request('Send {"advance": seconds} or {"set": epoch_seconds}.')
        except ValueError as exc:
            return _bad_request(str(exc))
        return _json(200, {"kind": clock.kind, "now": clock.now()})


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("seconds must be a number")
    return float(value)
