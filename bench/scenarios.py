"""The benchmark scenarios, as data: which server, which request, which load.

A scenario's request is a template. `${name}` placeholders are filled once after the setup
requests ran (e.g. `${queue_url}` from CreateQueue); `${n}` is left for the load generator,
which puts a per-request counter there so bodies differ.

Scenarios with `loop` set are not a single repeated request but a small client loop run by
bench.loadgen (receive-then-delete, send-to-receive latency).
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field, replace
from string import Template
from typing import Any

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
USER_AGENT = (
    "Boto3/1.44.8 md/Botocore#1.44.8 ua/2.1 os/linux lang/python#3.11.7 md/pyimpl#CPython "
    "cfg/retry-mode#standard Botocore/1.44.8"
)
SQS_MODULE = "postoffice.services.sqs"


def signed_headers(service: str, content_type: str, target: str = "") -> dict[str, str]:
    """The headers botocore sends (signature included, as a real client pays for its parsing)."""
    headers = {"Content-Type": content_type}
    if target:
        headers["X-Amz-Target"] = target
    headers |= {
        "User-Agent": USER_AGENT,
        "X-Amz-Date": "20260101T000000Z",
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260101/us-east-1/{service}/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=32331a6252b6ec5765e51be746b0f98edfc0807113062058812c8bb1903df44d"
        ),
        "amz-sdk-invocation-id": "2748fa97-a138-4e22-8735-e8035eee5f87",
        "amz-sdk-request": "attempt=1; max=3",
    }
    return headers


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""

    def fill(self, values: dict[str, str]) -> Request:
        """Substitute setup values; `${n}` and unknown names stay for the generator."""
        return replace(
            self, path=Template(self.path).safe_substitute(values), body=Template(self.body).safe_substitute(values)
        )

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "headers": self.headers, "body": self.body}


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    server: str  # "floor", "postoffice" (postoffice serve) or "protocol" (postoffice with a stub service)
    request: Request | None = None
    store: str = "memory"
    setup: tuple[Request, ...] = ()  # run in order; JSON answers' string fields become template values
    loop: str = ""  # "", "receive-delete" or "send-receive"
    loop_options: dict[str, Any] = field(default_factory=dict)
    requires: str = ""  # a module that must exist for the scenario to run
    server_args: tuple[str, ...] = ()
    by_default: bool = True  # run when no scenario is named
    unit: str = "req/s"
    messages_per_request: int = 1  # shown as msg/s beside req/s when more than one

    def available(self) -> tuple[bool, str]:
        if self.requires and importlib.util.find_spec(self.requires) is None:
            return False, f"{self.requires} does not exist yet"
        return True, ""


def sqs_json(operation: str, body: dict[str, Any]) -> Request:
    text = json.dumps(body, separators=(",", ":")).replace('"QUEUE_URL"', '"${queue_url}"')
    headers = signed_headers("sqs", "application/x-amz-json-1.0", f"AmazonSQS.{operation}")
    return Request("POST", "/", headers, text)


def _sqs_setup(queue: str) -> tuple[Request, ...]:
    return (sqs_json("CreateQueue", {"QueueName": queue}),)


SEND = sqs_json("SendMessage", {"QueueUrl": "QUEUE_URL", "MessageBody": 'order-${n} {"sku":"A-1","qty":2}'})
SEND_BATCH = sqs_json(
    "SendMessageBatch",
    {"QueueUrl": "QUEUE_URL", "Entries": [{"Id": f"m{i}", "MessageBody": f"order-${{n}}-{i}"} for i in range(10)]},
)
STS_QUERY = Request(
    "POST",
    "/",
    signed_headers("sts", "application/x-www-form-urlencoded; charset=utf-8"),
    "Action=GetCallerIdentity&Version=2011-06-15",
)
STUB_QUEUE_URL = "http://127.0.0.1:4566/000000000000/bench"


def _sqs_scenarios(store: str) -> list[Scenario]:
    queue = f"bench-{store}"
    return [
        Scenario(
            f"sqs-send-{store}",
            f"SQS SendMessage ({store})",
            "postoffice",
            SEND,
            store,
            _sqs_setup(queue),
            requires=SQS_MODULE,
        ),
        Scenario(
            f"sqs-send-batch-{store}",
            f"SQS SendMessageBatch x10 ({store})",
            "postoffice",
            SEND_BATCH,
            store,
            _sqs_setup(queue),
            requires=SQS_MODULE,
            messages_per_request=10,
        ),
        Scenario(
            f"sqs-receive-delete-{store}",
            f"SQS ReceiveMessage x10 + DeleteMessageBatch ({store})",
            "postoffice",
            None,
            store,
            _sqs_setup(queue),
            loop="receive-delete",
            loop_options={"prefill_per_second": 40_000},
            requires=SQS_MODULE,
            unit="msg/s",
        ),
        Scenario(
            f"sqs-latency-{store}",
            f"SQS send -> long-poll receive latency ({store})",
            "postoffice",
            None,
            store,
            _sqs_setup(queue),
            loop="send-receive",
            loop_options={"rate": 500, "consumers": 4},
            requires=SQS_MODULE,
            unit="msg/s",
        ),
    ]


SCENARIOS: list[Scenario] = [
    Scenario(
        "floor", "floor: bare uvicorn ASGI app, SendMessage-shaped", "floor", SEND.fill({"queue_url": STUB_QUEUE_URL})
    ),
    Scenario(
        "json",
        "JSON protocol through postoffice (SendMessage, stub op)",
        "protocol",
        SEND.fill({"queue_url": STUB_QUEUE_URL}),
    ),
    Scenario("query", "query protocol through postoffice (STS GetCallerIdentity)", "postoffice", STS_QUERY),
    *_sqs_scenarios("memory"),
    *_sqs_scenarios("sqlite"),
]

CALIBRATION = [
    Scenario(
        f"floor-work-{work}",
        f"floor + {work} us of busy work per request",
        "floor",
        SEND.fill({"queue_url": STUB_QUEUE_URL}),
        server_args=("--work-us", str(work)),
        by_default=False,
    )
    for work in (2, 5, 10)
]
SCENARIOS += CALIBRATION


def by_name(names: list[str]) -> list[Scenario]:
    known = {s.name: s for s in SCENARIOS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[n] for n in names]
