"""Checks on function settings that the model's constraints do not make, with AWS's messages."""

from __future__ import annotations

from typing import Any

import orjson

from postoffice.protocol.errors import ServiceError, Violation, validation_exception
from postoffice.runtime.launch import RESERVED_VARIABLES
from postoffice.services.lambda_.errors import invalid

MAX_TIMEOUT = 1800  # on-demand functions, per the current Lambda API reference
MAX_MEMORY = 10240
MAX_ENVIRONMENT_BYTES = 4096
MAX_LAYERS = 5
# Runtimes AWS no longer lets anyone create or update functions with.
BLOCKED_RUNTIMES = frozenset(
    {
        "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x",
        "nodejs14.x", "python2.7", "python3.6", "python3.7", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1",
        "dotnetcore3.1", "ruby2.5", "ruby2.7", "go1.x", "java8", "provided",
    }
)  # fmt: skip


def check_runtime(runtime: str | None) -> None:
    if runtime in BLOCKED_RUNTIMES:
        raise invalid(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. "
            "We recommend you use a supported runtime while creating or updating functions."
        )


def check_sizes(params: dict[str, Any]) -> None:
    """Timeout and MemorySize within the limits of on-demand functions."""
    violations = []
    timeout = params.get("Timeout")
    if timeout is not None and timeout > MAX_TIMEOUT:
        violations.append(
            Violation("timeout", timeout, f"Member must have value less than or equal to {MAX_TIMEOUT}", "range")
        )
    memory = params.get("MemorySize")
    if memory is not None and memory > MAX_MEMORY:
        violations.append(
            Violation("memorySize", memory, f"Member must have value less than or equal to {MAX_MEMORY}", "range")
        )
    if violations:
        raise validation_exception(violations)


def check_handler(runtime: str | None, handler: str | None, package_type: str) -> None:
    if package_type != "Zip":
        return
    if not runtime or (not handler and not runtime.startswith("provided")):
        raise invalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")


def environment_variables(environment: dict[str, Any] | None) -> dict[str, str] | None:
    """The Variables of an Environment parameter, checked: no reserved keys, 4 KB in all."""
    if environment is None:
        return None
    variables: dict[str, str] = environment.get("Variables") or {}
    reserved = [name for name in variables if name in RESERVED_VARIABLES]
    if reserved:
        raise invalid(
            "Lambda was unable to configure your environment variables because the environment variables you have "
            "provided contains reserved keys that are currently not supported for modification. Reserved keys used "
            f"in this request: {', '.join(reserved)}"
        )
    measured = orjson.dumps(variables).decode()
    if len(measured.encode()) > MAX_ENVIRONMENT_BYTES:
        raise invalid(
            "Lambda was unable to configure your environment variables because the environment variables you have "
            f"provided exceeded the 4KB limit. String measured: {measured}"
        )
    return dict(variables)


def check_layer_count(layers: list[str]) -> None:
    if len(layers) > MAX_LAYERS:
        raise invalid(f"Cannot reference more than {MAX_LAYERS} layers.")


def dead_letter_target(config: dict[str, Any] | None) -> str | None:
    if config is None:
        return None
    target = config.get("TargetArn") or None
    if target is not None and not (target.startswith("arn:aws:sqs:") or target.startswith("arn:aws:sns:")):
        raise invalid(f"The provided target arn {target} is invalid. Only SQS and SNS arns are supported.")
    return target


def check_revision(given: str | None, current: str, error: ServiceError) -> None:
    if given is not None and given != current:
        raise error
