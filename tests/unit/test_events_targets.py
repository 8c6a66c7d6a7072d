"""Which targets EventBridge can deliver to here, decided in one place from the target ARN."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from postoffice.services.events import targets
from postoffice.services.events.delivery import Delivery, Failure
from postoffice.services.events.invokers import Invokers

ACCOUNT = "000000000000"


@pytest.mark.parametrize(
    ("arn", "kind"),
    [
        (f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue", targets.SQS),
        (f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue.fifo", targets.SQS),
        (f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/orders", targets.EVENT_BUS),
        (f"arn:aws:events:us-east-1:{ACCOUNT}:api-destination/hook/0f1e", targets.API_DESTINATION),
        (f"arn:aws:events:us-east-1:{ACCOUNT}:archive/keep", targets.ARCHIVE),
        (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/events/orders", targets.LOGS),
        (f"arn:aws:sns:us-east-1:{ACCOUNT}:topic", targets.SNS),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:process-order", targets.LAMBDA),
        (f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:saga", targets.STATES),
        (f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s", None),
        (f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r", None),
        ("not-an-arn", None),
    ],
)
def test_kind_of(arn: str, kind: targets.TargetKind | None) -> None:
    assert targets.kind_of(arn) is kind


def test_a_kind_is_available_only_when_its_service_runs() -> None:
    running: dict[str, Any] = {"sqs": object(), "logs": object()}
    assert targets.unavailable_reason(targets.SQS, running) is None
    assert targets.unavailable_reason(targets.EVENT_BUS, running) is None
    assert targets.unavailable_reason(targets.API_DESTINATION, running) is None
    assert targets.unavailable_reason(targets.LOGS, running) is None
    for kind, service in ((targets.SNS, "sns"), (targets.LAMBDA, "lambda"), (targets.STATES, "stepfunctions")):
        reason = targets.unavailable_reason(kind, running)
        assert reason is not None and service in reason
        assert targets.unavailable_reason(kind, {**running, service: object()}) is None
    assert targets.unavailable_reason(None, running) is not None
    assert targets.unavailable_reason(targets.ARCHIVE, running) is not None


def test_delivery_to_a_service_that_is_not_running_fails_without_retry() -> None:
    service = SimpleNamespace(system=SimpleNamespace(services={"sqs": object()}))
    delivery = Delivery(
        account=ACCOUNT,
        region="us-east-1",
        rule_arn=f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r",
        rule_name="r",
        target={"Id": "t", "Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:gone"},
        event={"id": "1"},
        ingested=0.0,
    )
    outcome = asyncio.run(Invokers(service).invoke(delivery))  # type: ignore[arg-type]
    assert isinstance(outcome, Failure)
    assert outcome.code == "NO_RESOURCE" and not outcome.retriable
    assert "lambda" in outcome.message
