"""One execution environment: a long-lived worker process and the Runtime API it talks to.

Life of an environment: `start` spawns the process in its own process group, with its own
Runtime API on a loopback port. The runtime initialises (imports the handler) and long-polls
`invocation/next`; that first poll ends the init phase. `invoke` hands one invocation to the
waiting poll and waits for `.../response` or `.../error`, the process's exit, or the timeout,
which kills the whole process group. Output (stdout and stderr, one pipe) is read as it comes
and attributed to the invocation running; the Python bootstrap marks where an invocation's
output ends so no line is cut off from its invocation.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import os
import secrets
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from postoffice.core.clock import Clock
from postoffice.runtime.http_server import LoopbackServer, Request, Response
from postoffice.runtime.launch import Launch, apply_limits, environment_variables
from postoffice.runtime.model import FunctionSpec, Invocation, Outcome

log = logging.getLogger("postoffice.runtime")

INIT_LIMIT_SECONDS = 10.0  # AWS's init phase limit; past it, init time counts against the timeout
MAX_RESPONSE_BYTES = 6 * 1024 * 1024
RESPONSE_LIMIT_REPORTED = 6291556  # the figure AWS's error message quotes
MAX_EVENT_BYTES = 256 * 1024
OUTPUT_SETTLE_SECONDS = 2.0
FRAME = "\x1e\x1fpostoffice-frame:"
END = "\x1e\x1fpostoffice-end:"
API = "/2018-06-01/runtime"

LogLine = tuple[int, str]
LogSink = Callable[[FunctionSpec, str, list[LogLine]], Awaitable[None]]


def log_stream_name(version: str, now: float, token: str) -> str:
    day = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{token}"


def _iso(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Environment:
    def __init__(self, spec: FunctionSpec, launch: Launch, clock: Clock, sink: LogSink) -> None:
        self.spec = spec
        self.launch = launch
        self.clock = clock
        self.sink = sink
        self.token = secrets.token_hex(16)
        self.log_stream = log_stream_name(spec.version, clock.now(), self.token)
        self.process: asyncio.subprocess.Process | None = None
        self.retired = False
        self.invocations = 0
        self.idle_since = 0.0
        self._server = LoopbackServer(self._api)
        self._loop = asyncio.get_running_loop()
        self._ready: asyncio.Future[None] = self._loop.create_future()
        self._exit: asyncio.Future[int] = self._loop.create_future()
        self._spawned_at = 0.0
        self._init_ms: float | None = None
        self._init_error: tuple[bytes, str] | None = None
        self._handoff: asyncio.Future[Invocation] | None = None
        self._queued: Invocation | None = None
        self._current: Invocation | None = None
        self._result: asyncio.Future[tuple[bytes, str | None]] | None = None
        self._picked_up_at = 0.0
        self._deadline_ms = 0
        self._spawned_ms = 0
        self._started_ms = 0
        self._ready_ms = 0
        self._buffer: list[LogLine] = []
        self._init_output: list[LogLine] | None = None
        self._peak_mb = 0
        self._ended: set[str] = set()
        self._ended_event = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def alive(self) -> bool:
        return self.process is not None and not self._exit.done()

    # Lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        await self._server.start()
        variables = environment_variables(self.spec, self.launch, self._server.address, self.log_stream)
        self._spawned_at = time.perf_counter()
        self._spawned_ms = self.clock.now_ms()
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.launch.argv,
                cwd=self.spec.task_root,
                env=variables,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError:
            await self._server.close()
            raise
        apply_limits(self.process.pid, self.launch.limits)
        self._tasks = [
            self._loop.create_task(self._read_output(), name=f"lambda-output:{self.token}"),
            self._loop.create_task(self._watch_exit(), name=f"lambda-exit:{self.token}"),
        ]

    async def stop(self) -> None:
        """Kill the process group and release the port."""
        process = self.process
        if process is not None and process.returncode is None:
            self._peak_memory_mb()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if process is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._exit), timeout=5)
        await self._server.close()
        for task in self._tasks:
            if not task.done():
                await asyncio.wait([task], timeout=1)
                task.cancel()

    async def _watch_exit(self) -> None:
        assert self.process is not None
        code = await self.process.wait()
        if not self._exit.done():
            self._exit.set_result(code)

    # Invocation ---------------------------------------------------------------------------

    async def invoke(self, invocation: Invocation) -> Outcome:
        loop = self._loop
        first = self.invocations == 0
        self.invocations += 1
        self._started_ms = self.clock.now_ms()
        if not self._ready.done():
            await asyncio.wait({self._ready, self._exit}, timeout=INIT_LIMIT_SECONDS, return_when="FIRST_COMPLETED")
        pending_ready = not self._ready.done()
        outcome = self._init_failure(invocation)
        if outcome is not None:
            return await self._finish(invocation, outcome, first, started=time.perf_counter())
        started = time.perf_counter()
        deadline = started + self.spec.timeout
        self._current = invocation
        self._result = loop.create_future()
        self._hand_over(invocation, int((time.time() + self.spec.timeout) * 1000))
        watched: set[asyncio.Future[Any]] = {self._result, self._exit}
        if pending_ready:
            watched.add(self._ready)
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or self._result.done() or self._exit.done():
                break
            if pending_ready and self._ready.done():
                watched.discard(self._ready)
                pending_ready = False
                outcome = self._init_failure(invocation)
                if outcome is not None:
                    break
                continue
            await asyncio.wait(watched, timeout=remaining, return_when="FIRST_COMPLETED")
        if outcome is None:
            outcome = await self._result_outcome(invocation)
        self._current = None
        return await self._finish(invocation, outcome, first, started=max(started, self._picked_up_at))

    def _hand_over(self, invocation: Invocation, deadline_ms: int) -> None:
        self._deadline_ms = deadline_ms
        if self._handoff is not None and not self._handoff.done():
            self._handoff.set_result(invocation)
        else:
            self._queued = invocation

    def _init_failure(self, invocation: Invocation) -> Outcome | None:
        if self._init_error is not None:
            payload, error_type = self._init_error
            return Outcome(payload, error_type, status="error", environment_lost=True)
        if self._exit.done() and not self._ready.done():
            return self._exit_outcome(invocation)
        return None

    async def _result_outcome(self, invocation: Invocation) -> Outcome:
        assert self._result is not None
        if self._result.done():
            payload, error_type = self._result.result()
            await self._settle_output(invocation.request_id)
            if error_type is None:
                return Outcome(payload)
            return Outcome(payload, error_type, status="error")
        if self._exit.done():
            await self._drain_output()
            return self._exit_outcome(invocation)
        return await self._timed_out(invocation)

    async def _timed_out(self, invocation: Invocation) -> Outcome:
        await self.stop()
        seconds = f"{self.spec.timeout:.2f}"
        message = f"RequestId: {invocation.request_id} Error: Task timed out after {seconds} seconds"
        now = self.clock.now_ms()
        self._buffer.append((now, f"{_iso(now)} {invocation.request_id} Task timed out after {seconds} seconds"))
        payload = orjson.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message})
        return Outcome(payload, "Sandbox.Timedout", status="timeout", environment_lost=True)

    def _exit_outcome(self, invocation: Invocation) -> Outcome:
        code = self._exit.result() if self._exit.done() else -signal.SIGKILL
        if code == 0:
            reason = "Runtime exited without providing a reason"
        elif code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            described = signal.strsignal(-code) or name
            reason = f"Runtime exited with error: signal: {described[:1].lower()}{described[1:]}"
        else:
            reason = f"Runtime exited with error: exit status {code}"
        message = f"RequestId: {invocation.request_id} Error: {reason}"
        payload = orjson.dumps({"errorType": "Runtime.ExitError", "errorMessage": message})
        return Outcome(payload, "Runtime.ExitError", status="error", environment_lost=True)

    async def _settle_output(self, request_id: str) -> None:
        """Wait until the invocation's output is all read: its end marker, or a short pause."""
        if not self.spec.is_python:
            await asyncio.sleep(0.005)
            return
        end = time.perf_counter() + OUTPUT_SETTLE_SECONDS
        while True:
            self._ended_event.clear()
            if request_id in self._ended or self._exit.done():
                break
            remaining = end - time.perf_counter()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ended_event.wait(), timeout=remaining)
        self._ended.discard(request_id)

    async def _drain_output(self) -> None:
        """After the process ended: wait (briefly) until its pipe is read to the end."""
        if self._tasks:
            await asyncio.wait(self._tasks[:1], timeout=1.0)

    async def _finish(self, invocation: Invocation, outcome: Outcome, first: bool, started: float) -> Outcome:
        outcome.duration_ms = max(0.0, (time.perf_counter() - started) * 1000)
        if first:
            outcome.init_duration_ms = self._init_ms
        outcome.max_memory_mb = self._peak_memory_mb()
        if outcome.max_memory_mb > self.spec.memory_mb and outcome.status != "timeout":
            await self.stop()
            message = f"RequestId: {invocation.request_id} Error: Runtime exited with error: signal: killed"
            outcome = Outcome(
                orjson.dumps({"errorType": "Runtime.OutOfMemory", "errorMessage": message}),
                "Runtime.OutOfMemory",
                status="error",
                duration_ms=outcome.duration_ms,
                init_duration_ms=outcome.init_duration_ms,
                max_memory_mb=self.spec.memory_mb,
                environment_lost=True,
            )
        if outcome.environment_lost and self.alive:
            await self.stop()
        lines = self._report(invocation, outcome, first)
        outcome.log_lines = [text for _, text in lines]
        try:
            await self.sink(self.spec, self.log_stream, lines)
        except Exception:
            log.exception("writing the logs of %s failed", self.spec.function_name)
        return outcome

    def _report(self, invocation: Invocation, outcome: Outcome, first: bool) -> list[LogLine]:
        lines: list[LogLine] = []
        output, self._buffer = self._buffer, []
        if first:
            spawned = self._spawned_ms or self._started_ms
            lines.append((spawned, f"INIT_START Runtime Version: {self.spec.runtime}.postoffice"))
            lines.extend((spawned, note) for note in self.launch.notes)
            if self._init_output is None:
                lines.extend(output)
                output = []
            else:
                lines.extend(self._init_output)
                self._init_output = []
        request_id = invocation.request_id
        started = max(self._started_ms, self._ready_ms) if first else self._started_ms
        lines.append((started, f"START RequestId: {request_id} Version: {self.spec.version}"))
        lines.extend(output)
        now = self.clock.now_ms()
        lines.append((now, f"END RequestId: {request_id}"))
        duration = outcome.duration_ms
        billed = math.ceil(duration + (outcome.init_duration_ms or 0.0)) or 1
        fields = [
            f"REPORT RequestId: {request_id}",
            f"Duration: {duration:.2f} ms",
            f"Billed Duration: {billed} ms",
            f"Memory Size: {self.spec.memory_mb} MB",
            f"Max Memory Used: {min(outcome.max_memory_mb, self.spec.memory_mb)} MB",
        ]
        if outcome.init_duration_ms is not None:
            fields.append(f"Init Duration: {outcome.init_duration_ms:.2f} ms")
        if outcome.status == "timeout":
            fields.append("Status: timeout")
        elif outcome.environment_lost:
            fields.extend(["Status: error", f"Error Type: {outcome.error_type}"])
        lines.append((now, "\t".join(fields) + "\t"))
        return lines

    def _peak_memory_mb(self) -> int:
        """The worker's peak resident memory (Linux /proc), remembered once it is gone."""
        if self.process is None or self.process.returncode is not None:
            return self._peak_mb
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        self._peak_mb = max(self._peak_mb, math.ceil(int(line.split()[1]) / 1024))
        except (OSError, ValueError, IndexError):
            pass
        return self._peak_mb

    # Output -------------------------------------------------------------------------------

    async def _read_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stream = self.process.stdout
        pending = b""
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                self._take_line(raw.decode("utf-8", errors="replace"))
            if len(pending) > MAX_EVENT_BYTES:
                self._take_line(pending.decode("utf-8", errors="replace"))
                pending = b""
        if pending:
            self._take_line(pending.decode("utf-8", errors="replace"))

    def _take_line(self, text: str) -> None:
        now = self.clock.now_ms()
        text = text.removesuffix("\r")
        for marker in (FRAME, END):
            at = text.find(marker)
            if at < 0:
                continue
            if at > 0:
                self._buffer.append((now, text[:at]))
            rest = text[at + len(marker) :]
            if marker is END:
                self._ended.add(rest)
                self._ended_event.set()
            else:
                try:
                    message = orjson.loads(rest)
                except orjson.JSONDecodeError:
                    message = rest
                self._buffer.append((now, str(message)[:MAX_EVENT_BYTES]))
            return
        self._buffer.append((now, text[:MAX_EVENT_BYTES]))

    # Runtime API --------------------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        path = request.path
        if not path.startswith(API):
            return _error(404, "UnknownPath", "The requested path does not exist.")
        route = path[len(API) :].strip("/").split("/")
        if request.method == "GET" and route == ["invocation", "next"]:
            return await self._next()
        if (
            request.method == "POST"
            and len(route) == 3
            and route[0] == "invocation"
            and route[2] in ("response", "error")
        ):
            return self._respond(route[1], route[2], request)
        if request.method == "POST" and route == ["init", "error"]:
            return self._init_error_posted(request)
        return _error(404, "UnknownPath", "The requested path does not exist.")

    async def _next(self) -> Response:
        if not self._ready.done():
            self._init_ms = (time.perf_counter() - self._spawned_at) * 1000
            self._ready_ms = self.clock.now_ms()
            self._init_output, self._buffer = self._buffer, []
            self._ready.set_result(None)
        if self._queued is not None:
            invocation, self._queued = self._queued, None
        else:
            self._handoff = self._loop.create_future()
            invocation = await self._handoff
            self._handoff = None
        self._picked_up_at = time.perf_counter()
        headers = [
            ("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(self._deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", invocation.invoked_arn),
            ("Lambda-Runtime-Trace-Id", invocation.trace_id),
        ]
        if invocation.client_context:
            headers.append(("Lambda-Runtime-Client-Context", invocation.client_context))
        if invocation.identity:
            headers.append(("Lambda-Runtime-Cognito-Identity", invocation.identity))
        if invocation.tenant_id:
            headers.append(("Lambda-Runtime-Aws-Tenant-Id", invocation.tenant_id))
        return Response(200, invocation.payload, headers)

    def _respond(self, request_id: str, kind: str, request: Request) -> Response:
        current, result = self._current, self._result
        if current is None or result is None or result.done() or current.request_id != request_id:
            return _error(400, "InvalidRequestID", "Invalid request ID")
        if kind == "response":
            if len(request.body) > MAX_RESPONSE_BYTES:
                message = (
                    f"Response payload size exceeded maximum allowed payload size ({RESPONSE_LIMIT_REPORTED} bytes)."
                )
                error_type = "Function.ResponseSizeTooLarge"
                result.set_result((orjson.dumps({"errorType": error_type, "errorMessage": message}), error_type))
                return _error(413, "RequestEntityTooLarge", message)
            result.set_result((request.body, None))
        else:
            error_type = request.headers.get("lambda-runtime-function-error-type") or "Unhandled"
            result.set_result((_error_payload(request.body, error_type), error_type))
        return Response(202, b'{"status":"OK"}')

    def _init_error_posted(self, request: Request) -> Response:
        if self._ready.done():
            return _error(403, "InvalidStateTransition", "State transition from Ready to InitError failed for runtime.")
        error_type = request.headers.get("lambda-runtime-function-error-type") or "Runtime.Unknown"
        self._init_error = (_error_payload(request.body, error_type), error_type)
        self._init_ms = (time.perf_counter() - self._spawned_at) * 1000
        self._ready.set_result(None)
        return Response(202, b'{"status":"OK"}')


def _error_payload(body: bytes, error_type: str) -> bytes:
    try:
        document = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        document = None
    if isinstance(document, dict):
        return body
    return orjson.dumps({"errorType": error_type, "errorMessage": body.decode("utf-8", errors="replace")})


def _error(status: int, error_type: str, message: str) -> Response:
    return Response(status, orjson.dumps({"errorMessage": message, "errorType": error_type}))
