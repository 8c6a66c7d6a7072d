"""Queue names, URLs and ARNs.

postoffice hands out `http://sqs.<region>.localhost:<port>/<account>/<name>` (the port the
client reached us on), and accepts any host in front of `/<account>/<name>`, as well as a bare
queue name, which then means the caller's own account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

STANDARD_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
FIFO_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_ACCOUNT = re.compile(r"\d{12}")
_ARN = re.compile(r"arn:[^:]+:sqs:([^:]*):([^:]*):(.+)")


@dataclass(frozen=True)
class QueueRef:
    """Where a queue lives: (account, region) partition and name."""

    account: str
    region: str
    name: str

    @property
    def arn(self) -> str:
        return queue_arn(self.region, self.account, self.name)


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def parse_arn(arn: str) -> QueueRef | None:
    match = _ARN.fullmatch(arn)
    if match is None:
        return None
    region, account, name = match.groups()
    return QueueRef(account, region, name)


def queue_url(host: str, default_port: int, ref: QueueRef) -> str:
    port = _port_of(host, default_port)
    authority = f"sqs.{ref.region}.localhost" + (f":{port}" if port else "")
    return f"http://{authority}/{ref.account}/{ref.name}"


def _port_of(host: str, default_port: int) -> int | None:
    if not host:
        return default_port
    if host.startswith("["):
        _, _, rest = host.partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        _, _, port = host.rpartition(":") if ":" in host else ("", "", "")
    return int(port) if port.isdigit() else None


def parse_queue_url(value: str, default_account: str, region: str) -> QueueRef | None:
    """The queue a QueueUrl names, or None when it cannot name one."""
    if "/" not in value:
        return QueueRef(default_account, region, value) if value else None
    try:
        path = urlsplit(value).path if "://" in value else value.split("?", 1)[0]
    except ValueError:
        return None
    segments = [unquote(part) for part in path.split("/") if part]
    if len(segments) != 2 or not _ACCOUNT.fullmatch(segments[0]):
        return None
    return QueueRef(segments[0], region, segments[1])
