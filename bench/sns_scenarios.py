"""SNS benchmark scenarios for bench.run: Publish (query protocol) in a closed loop on a topic
with 1, 10 or 100 SQS subscribers. Publish commits one engine message and answers; fan-out to
the subscribers runs in the same server process, so its work is in the CPU figures.

    python -m bench.sns_scenarios                       # every SNS scenario
    python -m bench.sns_scenarios sns-publish-100-memory

For publish latency at a steady rate and deliveries per second, see bench/sns_fanout.py.
"""

from __future__ import annotations

import json
import sys
from urllib.parse import quote

from bench import run, scenarios
from bench.scenarios import Request, Scenario, signed_headers

SNS_MODULE = "postoffice.services.sns"
ACCOUNT = "000000000000"  # the account of scenarios.ACCESS_KEY
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:bench-orders"
SUBSCRIBER_COUNTS = (1, 10, 100)
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def sns_query(action: str, **params: str) -> Request:
    fields = {"Action": action, "Version": "2010-03-31", **params}
    body = "&".join(f"{key}={quote(value, safe='${}')}" for key, value in fields.items())
    return Request("POST", "/", signed_headers("sns", FORM), body)


PUBLISH = sns_query(
    "Publish", TopicArn=TOPIC, Message=json.dumps({"order": "${n}", "sku": "A-1", "qty": 2}, separators=(",", ":"))
)


def setup(subscribers: int) -> tuple[Request, ...]:
    requests: list[Request] = [sns_query("CreateTopic", Name="bench-orders")]
    for index in range(subscribers):
        name = f"bench-subscriber-{index}"
        requests.append(scenarios.sqs_json("CreateQueue", {"QueueName": name}))
        endpoint = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
        requests.append(sns_query("Subscribe", TopicArn=TOPIC, Protocol="sqs", Endpoint=endpoint))
    return tuple(requests)


SNS_SCENARIOS = [
    Scenario(
        f"sns-publish-{count}-{store}",
        f"SNS Publish -> {count} SQS subscriber{'s' if count > 1 else ''} ({store})",
        "postoffice",
        PUBLISH,
        store,
        setup(count),
        requires=SNS_MODULE,
    )
    for store in ("memory", "sqlite")
    for count in SUBSCRIBER_COUNTS
]


def main(argv: list[str] | None = None) -> int:
    known = {scenario.name for scenario in scenarios.SCENARIOS}
    scenarios.SCENARIOS.extend(scenario for scenario in SNS_SCENARIOS if scenario.name not in known)
    arguments = list(sys.argv[1:] if argv is None else argv)
    ours = [scenario.name for scenario in SNS_SCENARIOS]
    if "--list" not in arguments and not any(argument in ours for argument in arguments):
        arguments += ours
    return run.main(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
