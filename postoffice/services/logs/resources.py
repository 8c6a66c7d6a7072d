"""Log groups as stored, their ARNs, and how requests name them (name or ARN)."""

from __future__ import annotations

from dataclasses import dataclass, field

from postoffice.core.arns import format_arn, parse_arn

DAY_MS = 86_400_000


@dataclass
class LogGroup:
    name: str
    created: int
    retention_days: int | None = None
    kms_key_id: str | None = None
    log_group_class: str = "STANDARD"
    deletion_protection: bool = False
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def retention_ms(self) -> int | None:
        return None if self.retention_days is None else self.retention_days * DAY_MS


@dataclass(frozen=True)
class GroupRef:
    account: str
    region: str
    name: str

    @property
    def key(self) -> str:
        """The group's key in the event log: unique across accounts and regions."""
        return f"{self.account}/{self.region}/{self.name}"

    @property
    def arn(self) -> str:
        return format_arn("logs", self.region, self.account, f"log-group:{self.name}")


def parse_group_arn(arn: str) -> GroupRef | None:
    """`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`, or None for anything else."""
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "logs":
        return None
    rest = parsed.resource
    if not rest.startswith("log-group:"):
        return None
    name = rest[len("log-group:") :]
    if name.endswith(":*"):
        name = name[:-2]
    if not name or ":" in name:
        return None
    return GroupRef(parsed.account, parsed.region, name)


def stream_arn(group: GroupRef, stream: str) -> str:
    return f"{group.arn}:log-stream:{stream}"
