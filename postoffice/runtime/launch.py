"""How an execution environment's process starts: the command, AWS's environment variables,
and the resource limits it runs under.

python3.x runtimes run postoffice's bootstrap (bootstrap/python_bootstrap.py) on the closest
local interpreter; provided.al2 / provided.al2023 run the function's own `bootstrap`
executable, found as on AWS in the code root and then in the layers (AWS's /opt).
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, field

from postoffice.runtime.interpreters import Interpreters, NoInterpreter
from postoffice.runtime.model import FunctionSpec

BOOTSTRAP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstrap")
PYTHON_BOOTSTRAP = os.path.join(BOOTSTRAP_DIR, "python_bootstrap.py")

OPEN_FILES = 1024  # AWS's file descriptor quota
CPU_SECONDS = 3600  # a safety net over a warm environment's life; timeouts stop single runs
ADDRESS_SPACE_HEADROOM_MB = 512  # thread stacks and allocator reservations beyond the memory size

# Keys a function's Environment cannot set (AWS "Defined runtime environment variables").
RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    }
)  # fmt: skip


class LaunchError(Exception):
    """The environment cannot start; `error_type` and `message` are what the invoke reports."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass
class Launch:
    argv: list[str]
    notes: list[str] = field(default_factory=list)  # lines postoffice adds to the log at INIT
    limits: dict[int, tuple[int, int]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)


async def prepare(spec: FunctionSpec, interpreters: Interpreters) -> Launch:
    limits = {
        resource.RLIMIT_NOFILE: (OPEN_FILES, OPEN_FILES),
        resource.RLIMIT_CPU: (CPU_SECONDS, CPU_SECONDS),
    }
    if spec.is_python:
        try:
            interpreter, exact = await interpreters.for_runtime(spec.runtime)
        except NoInterpreter as error:
            raise LaunchError("Runtime.Unavailable", str(error)) from None
        if exact:
            note = f"postoffice: {spec.runtime} runs on {interpreter.path} (Python {interpreter.version})"
        else:
            note = (
                f"postoffice: {spec.runtime} is not installed here; running on the closest interpreter, "
                f"{interpreter.path} (Python {interpreter.version})"
            )
        notes = [note]
        address_space = (spec.memory_mb + ADDRESS_SPACE_HEADROOM_MB) * 1024 * 1024
        limits[resource.RLIMIT_AS] = (address_space, address_space)
        variables = {"_POSTOFFICE_LAYERS": os.pathsep.join(spec.layer_roots), "MALLOC_ARENA_MAX": "2"}
        if spec.sdk_path and interpreter.minor >= spec.sdk_min_minor:
            variables["_POSTOFFICE_SDK"] = spec.sdk_path
        elif spec.sdk_path:
            notes.append(
                f"postoffice: the AWS SDK for Python here needs Python 3.{spec.sdk_min_minor} or newer; "
                "this function must bring its own boto3"
            )
        return Launch([interpreter.path, "-u", PYTHON_BOOTSTRAP], notes, limits, variables)
    if spec.is_custom:
        candidates = [os.path.join(root, "bootstrap") for root in (spec.task_root, *spec.layer_roots)]
        found = next((path for path in candidates if os.path.isfile(path)), None)
        if found is None:
            raise LaunchError(
                "Runtime.InvalidEntrypoint", f"Couldn't find valid bootstrap(s): [{' '.join(candidates)}]"
            )
        if not os.access(found, os.X_OK):
            raise LaunchError("Runtime.InvalidEntrypoint", f"fork/exec {found}: permission denied")
        return Launch([found], [f"postoffice: {spec.runtime} runs {found}"], limits)
    raise LaunchError(
        "Runtime.Unavailable",
        f"postoffice runs python3.x and provided.al2/provided.al2023 functions without Docker; "
        f"{spec.runtime} is not available.",
    )


def environment_variables(spec: FunctionSpec, launch: Launch, runtime_api: str, log_stream: str) -> dict[str, str]:
    """AWS's defined runtime variables over the function's own, plus AWS_ENDPOINT_URL."""
    layer_bins = [os.path.join(root, "bin") for root in spec.layer_roots]
    layer_libs = [os.path.join(root, "lib") for root in (spec.task_root, *spec.layer_roots)]
    defaults = {
        "PATH": os.pathsep.join([*layer_bins, os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")]),
        "LD_LIBRARY_PATH": os.pathsep.join(layer_libs),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_ENDPOINT_URL": spec.endpoint,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }
    reserved = {
        "_HANDLER": spec.handler,
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        # A 12-digit access key is its own account to postoffice: calls land in the function's.
        "AWS_ACCESS_KEY_ID": spec.account,
        "AWS_SECRET_ACCESS_KEY": "postoffice",
        "AWS_SESSION_TOKEN": "postoffice",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "LAMBDA_TASK_ROOT": spec.task_root,
        "LAMBDA_RUNTIME_DIR": BOOTSTRAP_DIR,
    }
    if not spec.is_custom:
        reserved["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{spec.runtime}"
    return {**defaults, **dict(spec.environment), **reserved, **launch.variables}


def apply_limits(pid: int, limits: dict[int, tuple[int, int]]) -> None:
    """Set the new process's limits from outside (prlimit: no code runs between fork and exec)."""
    prlimit = getattr(resource, "prlimit", None)
    if prlimit is None:
        return
    for kind, value in limits.items():
        try:
            prlimit(pid, kind, value)
        except (OSError, ValueError):
            continue
