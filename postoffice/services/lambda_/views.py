"""Records rendered as Lambda's output shapes (FunctionConfiguration, AliasConfiguration...)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from postoffice.services.lambda_.records import LATEST, Alias, Function, Layer, LayerVersion, VersionConfig

CREATING = {"State": "Pending", "StateReason": "The function is being created.", "StateReasonCode": "Creating"}
UPDATING = {
    "State": "Active",
    "LastUpdateStatus": "InProgress",
    "LastUpdateStatusReason": "The function is being created.",
    "LastUpdateStatusReasonCode": "Creating",
}
SETTLED = {"State": "Active", "LastUpdateStatus": "Successful"}


def timestamp(epoch: float) -> str:
    """Lambda's LastModified / CreatedDate text: 2024-01-31T12:00:00.000+0000."""
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def runtime_version_arn(region: str, runtime: str) -> str:
    return f"arn:aws:lambda:{region}::runtime:{hashlib.sha256(runtime.encode()).hexdigest()}"


def log_group_of(function: Function, config: VersionConfig) -> str:
    return config.log_group or f"/aws/lambda/{function.name}"


def configuration(
    function: Function,
    config: VersionConfig,
    arn: str,
    layer_sizes: dict[str, int],
    status: dict[str, str] = SETTLED,
) -> dict[str, Any]:
    region = function.arn.split(":")[3]
    out: dict[str, Any] = {
        "FunctionName": function.name,
        "FunctionArn": arn,
        "Role": config.role,
        "CodeSize": config.code.size,
        "Description": config.description,
        "Timeout": config.timeout,
        "MemorySize": config.memory_size,
        "LastModified": config.last_modified,
        "CodeSha256": config.code.sha256,
        "Version": config.version,
        "TracingConfig": {"Mode": config.tracing_mode},
        "RevisionId": config.revision_id,
        "PackageType": config.package_type,
        "Architectures": list(config.architectures),
        "EphemeralStorage": {"Size": config.ephemeral_storage},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": _logging(function, config),
        **status,
    }
    if config.runtime:
        out["Runtime"] = config.runtime
        out["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtime_version_arn(region, config.runtime)}
    if config.handler:
        out["Handler"] = config.handler
    if config.environment is not None:
        out["Environment"] = {"Variables": dict(config.environment)}
    if config.layers:
        out["Layers"] = [{"Arn": layer, "CodeSize": layer_sizes.get(layer, 0)} for layer in config.layers]
    if config.dead_letter_target:
        out["DeadLetterConfig"] = {"TargetArn": config.dead_letter_target}
    out.update(config.extra)
    return out


def _logging(function: Function, config: VersionConfig) -> dict[str, Any]:
    logging: dict[str, Any] = {"LogFormat": config.log_format, "LogGroup": log_group_of(function, config)}
    if config.application_log_level:
        logging["ApplicationLogLevel"] = config.application_log_level
    if config.system_log_level:
        logging["SystemLogLevel"] = config.system_log_level
    return logging


def alias(function: Function, item: Alias) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AliasArn": f"{function.arn}:{item.name}",
        "Name": item.name,
        "FunctionVersion": item.function_version,
        "Description": item.description,
        "RevisionId": item.revision_id,
    }
    if item.routing:
        out["RoutingConfig"] = {"AdditionalVersionWeights": dict(item.routing)}
    return out


def layer_version(layer: Layer, version: LayerVersion, location: str, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "LayerVersionArn": f"{layer.arn}:{version.version}",
        "Version": version.version,
        "Description": version.description,
        "CreatedDate": version.created,
    }
    if version.compatible_runtimes:
        out["CompatibleRuntimes"] = list(version.compatible_runtimes)
    if version.compatible_architectures:
        out["CompatibleArchitectures"] = list(version.compatible_architectures)
    if version.license_info is not None:
        out["LicenseInfo"] = version.license_info
    if full:
        out["LayerArn"] = layer.arn
        out["Content"] = {"Location": location, "CodeSha256": version.code.sha256, "CodeSize": version.code.size}
    return out


def qualified(function: Function, qualifier: str) -> str:
    return f"{function.arn}:{qualifier}"


def latest_arn(function: Function, qualifier: str | None) -> str:
    return function.arn if qualifier is None else qualified(function, LATEST)
