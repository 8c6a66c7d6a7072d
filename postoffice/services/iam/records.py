"""What IAM stores: roles (with their inline and attached policies) and customer managed policies.

Documents are kept exactly as the caller sent them; responses URL-encode them as IAM does.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Role:
    name: str
    role_id: str
    path: str
    arn: str
    create_date: float
    trust_policy: str
    max_session_duration: int = 3600
    description: str | None = None
    permissions_boundary: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    inline_policies: dict[str, str] = field(default_factory=dict)
    attached_policies: list[str] = field(default_factory=list)
    last_used_date: float | None = None
    last_used_region: str | None = None


@dataclass
class PolicyVersion:
    version_id: str
    document: str
    create_date: float

    @property
    def number(self) -> int:
        return int(self.version_id[1:].split(".", 1)[0])


@dataclass
class ManagedPolicy:
    name: str
    policy_id: str
    path: str
    arn: str
    create_date: float
    update_date: float
    default_version_id: str
    versions: list[PolicyVersion]
    next_version: int = 2
    description: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.versions = [v if isinstance(v, PolicyVersion) else PolicyVersion(**v) for v in self.versions]

    def version(self, version_id: str) -> PolicyVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    @property
    def default_version(self) -> PolicyVersion:
        return next(v for v in self.versions if v.version_id == self.default_version_id)
