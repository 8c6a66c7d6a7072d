"""The servers under test, each in a child process on a free port, optionally pinned to CPUs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.scenarios import Scenario

REPOSITORY = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Placement:
    """Which CPUs a child process may run on (None: any)."""

    cpus: frozenset[int] | None = None

    def preexec(self) -> Callable[[], None] | None:
        cpus = self.cpus
        if not cpus:
            return None
        return lambda: os.sched_setaffinity(0, cpus)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used so far (all CPUs, steal included)."""
    try:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class ChildServer:
    kind: str  # "floor", "postoffice" or "protocol"
    store: str = "memory"
    placement: Placement = field(default_factory=Placement)
    extra_args: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    data_dir: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="postoffice-bench-"))
    process: subprocess.Popen[bytes] | None = None
    log_path: str = ""

    @classmethod
    def for_scenario(cls, scenario: Scenario, placement: Placement) -> ChildServer:
        return cls(scenario.server, scenario.store, placement, extra_args=scenario.server_args)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        port = ["--port", str(self.port)]
        if self.kind == "floor":
            return [sys.executable, "-m", "bench.floor_app", *port, *self.extra_args]
        options = [*port, "--store", self.store, "--data-dir", self.data_dir, "--log-level", "warning"]
        if self.kind == "protocol":
            return [sys.executable, "-m", "bench.protocol_server", *options, *self.extra_args]
        return [sys.executable, "-m", "postoffice.cli", "serve", *options, *self.extra_args]

    def start(self, timeout: float = 30.0) -> ChildServer:
        fd, self.log_path = tempfile.mkstemp(prefix=f"bench-{self.kind}-", suffix=".log")
        with os.fdopen(fd, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
                cwd=REPOSITORY,
                preexec_fn=self.placement.preexec(),
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log_tail()
                raise RuntimeError(f"{self.kind} server exited with {self.process.returncode}:\n{output}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_postoffice/health", timeout=2):
                    return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.kind} server did not answer within {timeout}s")

    def log_tail(self, lines: int = 30) -> str:
        try:
            with open(self.log_path, errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.log_path:
            os.unlink(self.log_path)
            self.log_path = ""
