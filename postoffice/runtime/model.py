"""What the runtime is told to run (FunctionSpec, Invocation) and what it gives back (Outcome)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field


def new_trace_id() -> str:
    """An X-Ray trace header, as Lambda gives every invocation one (_X_AMZN_TRACE_ID)."""
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"


@dataclass(frozen=True)
class FunctionSpec:
    """One function version's code and configuration, as an execution environment needs it.

    `key` names exactly this code and configuration: environments are reused only for the
    same key, so a changed configuration or (hot-reloaded) code gets fresh environments.
    """

    key: str
    account: str
    region: str
    function_name: str
    function_arn: str
    version: str
    runtime: str
    handler: str
    task_root: str
    layer_roots: tuple[str, ...]
    environment: tuple[tuple[str, str], ...]
    memory_mb: int
    timeout: int
    log_group: str
    endpoint: str
    sdk_path: str = ""  # the AWS SDK for Python, put last on sys.path as AWS's runtimes ship it
    sdk_min_minor: int = 0  # the oldest Python 3 minor version that SDK supports

    @property
    def is_python(self) -> bool:
        return self.runtime.startswith("python")

    @property
    def is_custom(self) -> bool:
        return self.runtime.startswith("provided")


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    invoked_arn: str
    client_context: str | None = None  # the JSON text of the decoded X-Amz-Client-Context
    identity: str | None = None  # Cognito identity JSON
    trace_id: str = field(default_factory=new_trace_id)
    tenant_id: str | None = None


@dataclass
class Outcome:
    """How one invocation ended: its response payload, or the error payload with its type."""

    payload: bytes
    error_type: str | None = None  # set when the function failed (FunctionError "Unhandled")
    status: str = "success"  # success | error | timeout (the REPORT line's Status)
    log_lines: list[str] = field(default_factory=list)
    duration_ms: float = 0.0
    init_duration_ms: float | None = None
    max_memory_mb: int = 0
    environment_lost: bool = False

    @property
    def failed(self) -> bool:
        return self.error_type is not None
