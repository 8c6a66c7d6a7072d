"""Amazon Resource Names: `arn:<partition>:<service>:<region>:<account>:<resource>`.

Only the shape every ARN shares lives here; each service names its own resources and adds
its own checks (EventBridge, for one, wants a 12-digit account).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RESOURCE_SEPARATOR = re.compile(r"[/:]")


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def text(self) -> str:
        return format_arn(self.service, self.region, self.account, self.resource, self.partition)

    @property
    def resource_type(self) -> str:
        """`rule` of `rule/name` or of `rule:name`."""
        return _RESOURCE_SEPARATOR.split(self.resource, maxsplit=1)[0]

    @property
    def resource_name(self) -> str:
        """What follows the resource type and its separator, or "" if nothing does."""
        parts = _RESOURCE_SEPARATOR.split(self.resource, maxsplit=1)
        return parts[1] if len(parts) > 1 else ""


def parse_arn(text: str) -> Arn | None:
    """The six fields of an ARN (the resource may hold more colons), or None when it is not one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[2]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def format_arn(service: str, region: str, account: str, resource: str, partition: str = "aws") -> str:
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"
