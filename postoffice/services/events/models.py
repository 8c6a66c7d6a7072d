"""EventBridge's control-plane records, as kept in the store's record tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ARCHIVE_RULE_PREFIX = "Events-Archive-"
ARCHIVE_MANAGER = "prod.vhs.events.aws.internal"


@dataclass
class EventBus:
    name: str
    arn: str
    created: float
    modified: float
    description: str | None = None
    policy: dict[str, Any] | None = None
    kms_key: str | None = None
    dead_letter_arn: str | None = None
    log_config: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Rule:
    name: str
    bus: str
    arn: str
    created_by: str
    state: str = "ENABLED"
    event_pattern: str | None = None
    schedule_expression: str | None = None
    description: str | None = None
    role_arn: str | None = None
    managed_by: str | None = None
    targets: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    schedule_anchor: float = 0.0  # when a rate() schedule started counting

    @property
    def key(self) -> str:
        return rule_key(self.bus, self.name)

    @property
    def enabled(self) -> bool:
        return self.state != "DISABLED"

    def target(self, target_id: str) -> dict[str, Any] | None:
        return next((target for target in self.targets if target["Id"] == target_id), None)


def rule_key(bus: str, name: str) -> str:
    return f"{bus}|{name}"


@dataclass
class Archive:
    name: str
    arn: str
    event_source_arn: str
    created: float
    state: str = "ENABLED"
    description: str | None = None
    event_pattern: str | None = None
    retention_days: int = 0
    kms_key: str | None = None

    @property
    def rule_name(self) -> str:
        return ARCHIVE_RULE_PREFIX + self.name


@dataclass
class Replay:
    name: str
    arn: str
    event_source_arn: str
    destination: dict[str, Any]
    event_start: float
    event_end: float
    state: str
    replay_start: float
    description: str | None = None
    state_reason: str | None = None
    replay_end: float | None = None
    last_replayed: float | None = None
    cursor: list[int] | None = None  # (timestamp ms, seq) of the last archived event replayed


@dataclass
class Connection:
    name: str
    arn: str
    authorization_type: str
    auth_parameters: dict[str, Any]
    state: str
    secret_arn: str
    created: float
    modified: float
    last_authorized: float | None = None
    description: str | None = None
    state_reason: str | None = None
    kms_key: str | None = None
    connectivity: dict[str, Any] | None = None


@dataclass
class ApiDestination:
    name: str
    arn: str
    connection_arn: str
    endpoint: str
    method: str
    rate_limit: int
    created: float
    modified: float
    state: str = "ACTIVE"
    description: str | None = None
