"""What the Lambda service stores: functions (with versions, aliases and their settings), layers,
and event source mappings. Each is one record in a RecordTable (records.py in core/store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LATEST = "$LATEST"


@dataclass
class Code:
    sha256: str  # CodeSha256: base64 of the SHA-256 of the zip
    size: int
    root: str  # the unpacked code, or the host directory of a hot-reloaded function
    hot_reload: bool = False
    zip_path: str = ""


def _code(value: Code | dict[str, Any]) -> Code:
    return value if isinstance(value, Code) else Code(**value)


@dataclass
class VersionConfig:
    """The configuration of $LATEST or of one published version (frozen at publish)."""

    version: str
    runtime: str | None
    handler: str | None
    role: str
    description: str
    timeout: int
    memory_size: int
    code: Code
    last_modified: str
    revision_id: str
    environment: dict[str, str] | None = None
    layers: list[str] = field(default_factory=list)  # layer version ARNs, in order
    dead_letter_target: str | None = None
    tracing_mode: str = "PassThrough"
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    ephemeral_storage: int = 512
    log_format: str = "Text"
    log_group: str | None = None
    application_log_level: str | None = None
    system_log_level: str | None = None
    package_type: str = "Zip"
    # Settings postoffice keeps and returns but does not act on (VpcConfig, KMSKeyArn, ...).
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.code = _code(self.code)


@dataclass
class Alias:
    name: str
    function_version: str
    description: str
    revision_id: str
    routing: dict[str, float] | None = None  # AdditionalVersionWeights


@dataclass
class Function:
    name: str
    arn: str  # unqualified
    latest: VersionConfig
    created: float
    versions: dict[str, VersionConfig] = field(default_factory=dict)
    next_version: int = 1
    aliases: dict[str, Alias] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    # Resource-based policy statements per qualifier ("" for the unqualified function).
    policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    policy_revisions: dict[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    invoke_configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by qualifier
    url_configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by qualifier ("" unqualified)

    def __post_init__(self) -> None:
        if isinstance(self.latest, dict):
            self.latest = VersionConfig(**self.latest)
        self.versions = {k: v if isinstance(v, VersionConfig) else VersionConfig(**v) for k, v in self.versions.items()}
        self.aliases = {k: v if isinstance(v, Alias) else Alias(**v) for k, v in self.aliases.items()}

    def config(self, version: str) -> VersionConfig | None:
        return self.latest if version == LATEST else self.versions.get(version)


@dataclass
class LayerVersion:
    version: int
    description: str
    created: str
    code: Code
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    license_info: str | None = None
    deleted: bool = False  # kept for the functions that still use it, hidden from the API

    def __post_init__(self) -> None:
        self.code = _code(self.code)


@dataclass
class Layer:
    name: str
    arn: str
    versions: dict[str, LayerVersion] = field(default_factory=dict)
    next_version: int = 1  # numbers are never reused, even after a version is deleted

    def __post_init__(self) -> None:
        self.versions = {k: v if isinstance(v, LayerVersion) else LayerVersion(**v) for k, v in self.versions.items()}


@dataclass
class Mapping:
    """An event source mapping (SQS)."""

    uuid: str
    account: str
    region: str
    function_arn: str
    source_arn: str
    state: str  # Creating | Enabled | Disabled | Enabling | Disabling | Updating | Deleting
    batch_size: int
    batching_window: int
    last_modified: float
    function_response_types: list[str] = field(default_factory=list)
    filter_criteria: dict[str, Any] | None = None
    maximum_concurrency: int | None = None
    state_reason: str = "USER_INITIATED"
    last_result: str = "No records processed"
    tags: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
