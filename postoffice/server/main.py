"""Assemble a running postoffice: store, clock, services, ASGI app, uvicorn."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

import uvicorn

from postoffice import __version__
from postoffice.config import Settings
from postoffice.core.clock import make_clock
from postoffice.core.queues import make_queue_engine
from postoffice.core.store import open_store
from postoffice.core.store.records import SCHEMA as RECORDS_SCHEMA
from postoffice.core.system import System
from postoffice.server.app import Application
from postoffice.services.registry import build_services

log = logging.getLogger("postoffice")


def build_system(settings: Settings) -> System:
    store = open_store(settings.store, settings.data_dir)
    store.migrate("records", RECORDS_SCHEMA)
    clock = make_clock(settings.clock)
    system = System(settings=settings, store=store, clock=clock, queues=make_queue_engine(store, clock))
    build_services(system)
    return system


def build_app(settings: Settings) -> Application:
    system = build_system(settings)

    async def lifespan(event: str) -> None:
        if event == "startup":
            if system.queues is not None:
                await system.queues.start()
            for service in system.services.values():
                await service.start()
            _announce(settings, system)
        else:
            for service in reversed(list(system.services.values())):
                await service.stop()
            if system.queues is not None:
                await system.queues.stop()
            await system.store.flush()
            system.store.close()

    app = Application(system, lifespan)
    lambda_http = getattr(system.services.get("lambda"), "http", None)
    if lambda_http is not None:
        app.mount("/_lambda/", lambda_http)  # code downloads and function URLs
        app.mount_host(lambda_http.by_host)
    gateway = getattr(system.services.get("apigateway"), "gateway", None)
    if gateway is not None:  # invocation URLs of deployed REST APIs
        app.mount("/_aws/execute-api/", gateway.by_path)
        app.mount_host(gateway.by_host)
    return app


def _announce(settings: Settings, system: System) -> None:
    lines = [
        f"postoffice {__version__} ready on http://{settings.host}:{settings.port}",
        f"  store:    {system.store.describe()}",
        f"  clock:    {system.clock.kind}",
        f"  account:  {settings.default_account} (default), region {settings.default_region}",
        f"  services: {', '.join(sorted(system.services))}",
    ]
    print("\n".join(lines), flush=True)


def serve(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    try:
        app = build_app(settings)
    except ValueError as exc:
        raise SystemExit(f"postoffice: {exc}") from None
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning" if settings.log_level.lower() == "info" else settings.log_level.lower(),
        access_log=False,
        loop="uvloop" if _has("uvloop") else "asyncio",
        http="httptools" if _has("httptools") else "h11",
        lifespan="on",
        timeout_graceful_shutdown=5,
        server_header=False,
        date_header=False,
        # a local emulator is called directly, never through a proxy: no X-Forwarded-* rewriting
        # of the client address (uvicorn's default costs ~0.7 us per request)
        proxy_headers=False,
    )
    _Server(config).run()


class _Server(uvicorn.Server):
    """uvicorn's server, but a SIGTERM or Ctrl-C that shut it down cleanly exits with 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True
