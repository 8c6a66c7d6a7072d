"""EventBridge benchmark scenarios: PutEvents alone, and PutEvents routed through a rule to an
SQS queue (the request commits one delivery per event; the delivery consumer runs in the same
server process, so its work is in the numbers).

    python -m bench.events_scenarios                 # every EventBridge scenario
    python -m bench.events_scenarios events-put-deliver-sqlite
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench import run, scenarios
from bench.scenarios import Request, Scenario, signed_headers

EVENTS_MODULE = "postoffice.services.events"
ACCOUNT = "000000000000"  # the account of scenarios.ACCESS_KEY
QUEUE = "bench-events"


def events_json(operation: str, body: dict[str, Any]) -> Request:
    headers = signed_headers("events", "application/x-amz-json-1.1", f"AWSEvents.{operation}")
    return Request("POST", "/", headers, json.dumps(body, separators=(",", ":")))


def _entry(n: str) -> dict[str, str]:
    detail = {"orderId": f"o-{n}", "items": [{"sku": "A-1", "qty": 2}], "total": 49.5, "status": "confirmed"}
    return {"Source": "orders.api", "DetailType": "OrderPlaced", "Detail": json.dumps(detail), "EventBusName": "orders"}


PUT_ONE = events_json("PutEvents", {"Entries": [_entry("${n}")]})
PUT_TEN = events_json("PutEvents", {"Entries": [_entry(f"${{n}}-{i}") for i in range(10)]})

_BUS = (events_json("CreateEventBus", {"Name": "orders"}),)
_ROUTE = (
    *_BUS,
    scenarios.sqs_json("CreateQueue", {"QueueName": QUEUE}),
    events_json(
        "PutRule",
        {
            "Name": "route-to-inventory-queue",
            "EventBusName": "orders",
            "EventPattern": json.dumps({"source": ["orders.api"], "detail-type": ["OrderPlaced"]}),
        },
    ),
    events_json(
        "PutTargets",
        {
            "Rule": "route-to-inventory-queue",
            "EventBusName": "orders",
            "Targets": [{"Id": "inventory", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{QUEUE}"}],
        },
    ),
)


def _scenarios(store: str) -> list[Scenario]:
    return [
        Scenario(
            f"events-put-{store}",
            f"EventBridge PutEvents, no matching rule ({store})",
            "postoffice",
            PUT_ONE,
            store,
            _BUS,
            requires=EVENTS_MODULE,
        ),
        Scenario(
            f"events-put-deliver-{store}",
            f"EventBridge PutEvents -> rule -> SQS target ({store})",
            "postoffice",
            PUT_ONE,
            store,
            _ROUTE,
            requires=EVENTS_MODULE,
        ),
        Scenario(
            f"events-put-batch-deliver-{store}",
            f"EventBridge PutEvents x10 -> rule -> SQS target ({store})",
            "postoffice",
            PUT_TEN,
            store,
            _ROUTE,
            requires=EVENTS_MODULE,
            messages_per_request=10,
        ),
    ]


EVENTS_SCENARIOS = [*_scenarios("memory"), *_scenarios("sqlite")]


def main(argv: list[str] | None = None) -> int:
    known = {scenario.name for scenario in scenarios.SCENARIOS}
    scenarios.SCENARIOS.extend(scenario for scenario in EVENTS_SCENARIOS if scenario.name not in known)
    arguments = list(sys.argv[1:] if argv is None else argv)
    ours = [scenario.name for scenario in EVENTS_SCENARIOS]
    if "--list" not in arguments and not any(argument in ours for argument in arguments):
        arguments += ours
    return run.main(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
