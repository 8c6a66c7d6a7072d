"""Start a real postoffice server in a child process, for tests and benchmarks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

CREDENTIALS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "secret"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    store: str = "memory"
    clock: str = "real"
    data_dir: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="postoffice-test-"))
    port: int = field(default_factory=free_port)
    extra_args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        command = [
            sys.executable, "-m", "postoffice.cli", "serve",
            "--port", str(self.port), "--store", self.store, "--clock", self.clock,
            "--data-dir", self.data_dir, "--log-level", "warning", *self.extra_args,
        ]  # fmt: skip
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"postoffice exited with {self.process.returncode}:\n{output}")
            try:
                self.admin("GET", "health")
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("postoffice did not become ready")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no chance to flush anything."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.endpoint}/_postoffice/{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        self.admin("POST", "reset", {})

    def advance(self, seconds: float) -> float:
        return float(self.admin("POST", "clock", {"advance": seconds})["now"])

    def now(self) -> float:
        return float(self.admin("GET", "clock")["now"])

    def client(self, service: str, region: str = "us-east-1", **kwargs: Any) -> Any:
        config = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=70)
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=region, config=config, **{**CREDENTIALS, **kwargs}
        )
