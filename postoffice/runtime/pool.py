"""Warm execution environments: reused per function code and configuration, reaped when idle.

An invocation takes the most recently used idle environment of its FunctionSpec key (so the
others age out) or starts a new one. After it, a healthy environment goes back to the idle
list; one that timed out, crashed or belongs to retired code is stopped. Idle environments
are stopped after `idle_seconds` on the clock (a virtual clock moves that too).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import orjson

from postoffice.core.clock import Clock
from postoffice.runtime.environment import Environment, LogSink, log_stream_name
from postoffice.runtime.interpreters import Interpreters
from postoffice.runtime.launch import LaunchError, prepare
from postoffice.runtime.model import FunctionSpec, Invocation, Outcome

log = logging.getLogger("postoffice.runtime.pool")

IDLE_SECONDS = 600.0


class Pool:
    def __init__(self, clock: Clock, sink: LogSink, idle_seconds: float = IDLE_SECONDS) -> None:
        self.clock = clock
        self.sink = sink
        self.idle_seconds = idle_seconds
        self.interpreters = Interpreters()
        self._idle: dict[str, list[Environment]] = {}
        self._busy: set[Environment] = set()
        self._changed = asyncio.Event()
        self._reaper: asyncio.Task[None] | None = None
        self._stopping: set[asyncio.Task[None]] = set()

    def counts(self) -> dict[str, int]:
        return {"busy": len(self._busy), "idle": sum(len(envs) for envs in self._idle.values())}

    async def invoke(self, spec: FunctionSpec, invocation: Invocation) -> Outcome:
        self._ensure_reaper()
        environment = self._take_idle(spec.key)
        if environment is None:
            try:
                environment = await self._start(spec)
            except LaunchError as error:
                return await self._launch_failed(spec, invocation, error.error_type, error.message)
        self._busy.add(environment)
        try:
            outcome = await environment.invoke(invocation)
        except BaseException:
            self._busy.discard(environment)
            self._stop_later(environment)
            raise
        self._busy.discard(environment)
        self._release(environment)
        return outcome

    async def retire(self, should_retire: Callable[[FunctionSpec], bool]) -> None:
        """Stop idle environments of matching specs now, busy ones when their invocation ends."""
        for environment in self._busy:
            if should_retire(environment.spec):
                environment.retired = True
        stopping = []
        for key, environments in list(self._idle.items()):
            kept = []
            for environment in environments:
                if should_retire(environment.spec):
                    stopping.append(environment)
                else:
                    kept.append(environment)
            if kept:
                self._idle[key] = kept
            else:
                del self._idle[key]
        await asyncio.gather(*(environment.stop() for environment in stopping))

    async def close(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
            self._reaper = None
        everything = [env for envs in self._idle.values() for env in envs] + list(self._busy)
        self._idle.clear()
        await asyncio.gather(*(environment.stop() for environment in everything), return_exceptions=True)
        await asyncio.gather(*self._stopping, return_exceptions=True)

    # Internals ----------------------------------------------------------------------------

    async def _start(self, spec: FunctionSpec) -> Environment:
        launch = await prepare(spec, self.interpreters)
        environment = Environment(spec, launch, self.clock, self.sink)
        try:
            await environment.start()
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            raise LaunchError("Runtime.InvalidEntrypoint", f"fork/exec {launch.argv[0]}: {reason}") from None
        return environment

    def _take_idle(self, key: str) -> Environment | None:
        environments = self._idle.get(key)
        while environments:
            environment = environments.pop()
            if environment.alive and not environment.retired:
                if not environments:
                    del self._idle[key]
                return environment
            self._stop_later(environment)
        self._idle.pop(key, None)
        return None

    def _release(self, environment: Environment) -> None:
        if environment.alive and not environment.retired:
            environment.idle_since = self.clock.now()
            self._idle.setdefault(environment.spec.key, []).append(environment)
            self._changed.set()
        else:
            self._stop_later(environment)

    def _stop_later(self, environment: Environment) -> None:
        task = asyncio.get_running_loop().create_task(environment.stop())
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    def _ensure_reaper(self) -> None:
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.get_running_loop().create_task(self._reap(), name="lambda-idle-reaper")

    async def _reap(self) -> None:
        while True:
            self._changed.clear()
            deadlines = [env.idle_since + self.idle_seconds for envs in self._idle.values() for env in envs]
            if not deadlines:
                await self._changed.wait()
                continue
            sleeper = asyncio.ensure_future(self.clock.sleep_until(min(deadlines)))
            changed = asyncio.ensure_future(self._changed.wait())
            try:
                await asyncio.wait({sleeper, changed}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                changed.cancel()
            now = self.clock.now()
            for key, environments in list(self._idle.items()):
                expired = [env for env in environments if env.idle_since + self.idle_seconds <= now]
                if not expired:
                    continue
                self._idle[key] = [env for env in environments if env not in expired]
                if not self._idle[key]:
                    del self._idle[key]
                for environment in expired:
                    self._stop_later(environment)

    async def _launch_failed(self, spec: FunctionSpec, invocation: Invocation, error_type: str, reason: str) -> Outcome:
        message = f"RequestId: {invocation.request_id} Error: {reason}"
        now = self.clock.now_ms()
        report = [
            f"REPORT RequestId: {invocation.request_id}",
            "Duration: 0.00 ms",
            "Billed Duration: 1 ms",
            f"Memory Size: {spec.memory_mb} MB",
            "Max Memory Used: 0 MB",
            "Status: error",
            f"Error Type: {error_type}",
        ]
        lines = [
            (now, f"START RequestId: {invocation.request_id} Version: {spec.version}"),
            (now, message),
            (now, error_type),
            (now, f"END RequestId: {invocation.request_id}"),
            (now, "\t".join(report) + "\t"),
        ]
        stream = log_stream_name(spec.version, self.clock.now(), "0" * 32)
        with contextlib.suppress(Exception):
            await self.sink(spec, stream, lines)
        payload = orjson.dumps({"errorType": error_type, "errorMessage": message})
        return Outcome(
            payload, error_type, status="error", log_lines=[text for _, text in lines], environment_lost=True
        )
