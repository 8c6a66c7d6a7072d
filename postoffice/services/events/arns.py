"""EventBridge ARNs: how each resource is named, and how a name-or-ARN is resolved."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

from postoffice.core import arns
from postoffice.core.arns import Arn

DEFAULT_BUS = "default"

_PARTITION = re.compile(r"aws[\w-]*")
_SERVICE = re.compile(r"[a-z0-9-]+")
_REGION = re.compile(r"[a-z0-9-]*")
_ACCOUNT = re.compile(r"(\d{12})?")


@dataclass(frozen=True)
class BusRef:
    account: str
    region: str
    name: str

    @property
    def arn(self) -> str:
        return bus_arn(self.region, self.account, self.name)


def parse_arn(text: str) -> Arn | None:
    """An ARN as EventBridge accepts one: an `aws` partition and a 12-digit account, if any."""
    arn = arns.parse_arn(text)
    if arn is None or not arn.resource:
        return None
    fields = ((_PARTITION, arn.partition), (_SERVICE, arn.service), (_REGION, arn.region), (_ACCOUNT, arn.account))
    return arn if all(pattern.fullmatch(value) for pattern, value in fields) else None


def bus_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:event-bus/{name}"


def rule_arn(region: str, account: str, bus: str, name: str) -> str:
    path = name if bus == DEFAULT_BUS else f"{bus}/{name}"
    return f"arn:aws:events:{region}:{account}:rule/{path}"


def archive_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:archive/{name}"


def replay_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:replay/{name}"


def connection_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:connection/{name}/{uuid.uuid4()}"


def api_destination_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:api-destination/{name}/{uuid.uuid4()}"


def connection_secret_arn(region: str, account: str, name: str) -> str:
    suffix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(6))
    return f"arn:aws:secretsmanager:{region}:{account}:secret:events!connection/{name}/{uuid.uuid4()}-{suffix}"


def resolve_bus(name_or_arn: str | None, account: str, region: str) -> BusRef:
    """The bus a request names (a name in the caller's partition, or an event-bus ARN)."""
    if not name_or_arn:
        return BusRef(account, region, DEFAULT_BUS)
    arn = parse_arn(name_or_arn)
    if arn is not None and arn.service == "events" and arn.resource_type == "event-bus":
        return BusRef(arn.account or account, arn.region or region, arn.resource_name)
    return BusRef(account, region, name_or_arn)


def parse_rule_arn(text: str) -> tuple[str, str, str, str] | None:
    """(account, region, bus, rule name) of a rule ARN."""
    arn = parse_arn(text)
    if arn is None or arn.service != "events" or arn.resource_type != "rule":
        return None
    bus, _, name = arn.resource_name.rpartition("/")
    return arn.account, arn.region, bus or DEFAULT_BUS, name


def name_from_arn(text: str, resource_type: str) -> str | None:
    """The name in `arn:...:<resource_type>/<name>[/<uuid>]`."""
    arn = parse_arn(text)
    if arn is None or arn.service != "events" or arn.resource_type != resource_type:
        return None
    return arn.resource_name.split("/", 1)[0]
