"""The kinds of target a rule can have, decided in one place from the target's ARN.

Each kind names the postoffice service it needs (if any). PutTargets accepts a target only
when its kind is known and its service runs here; a delivery whose service has gone away is
dead-lettered with an error by the deliverer, never dropped. A new service plugs in by being
registered under the name below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from postoffice.core.arns import Arn
from postoffice.services.events.arns import parse_arn


@dataclass(frozen=True)
class TargetKind:
    name: str
    service: str | None  # the postoffice service the delivery calls, None for EventBridge's own
    description: str


SQS = TargetKind("sqs", "sqs", "Amazon SQS queue")
EVENT_BUS = TargetKind("event-bus", None, "EventBridge event bus")
API_DESTINATION = TargetKind("api-destination", None, "EventBridge API destination")
ARCHIVE = TargetKind("archive", None, "EventBridge archive")
LOGS = TargetKind("logs", "logs", "CloudWatch Logs log group")
SNS = TargetKind("sns", "sns", "Amazon SNS topic")
LAMBDA = TargetKind("lambda", "lambda", "AWS Lambda function")
STATES = TargetKind("states", "stepfunctions", "AWS Step Functions state machine")


def kind_of(arn_text: str) -> TargetKind | None:
    arn = parse_arn(arn_text)
    if arn is None:
        return None
    return _kind(arn)


def _kind(arn: Arn) -> TargetKind | None:
    if arn.service == "sqs":
        return SQS
    if arn.service == "events":
        return {"event-bus": EVENT_BUS, "api-destination": API_DESTINATION, "archive": ARCHIVE}.get(arn.resource_type)
    if arn.service == "logs" and arn.resource_type == "log-group":
        return LOGS
    if arn.service == "sns":
        return SNS
    if arn.service == "lambda" and arn.resource_type == "function":
        return LAMBDA
    if arn.service == "states" and arn.resource_type == "stateMachine":
        return STATES
    return None


def unavailable_reason(kind: TargetKind | None, services: dict[str, Any]) -> str | None:
    """Why postoffice cannot deliver to this kind of target now, or None when it can."""
    if kind is None:
        return "postoffice does not deliver to this kind of target."
    if kind is ARCHIVE:
        return "archives receive events through the rules EventBridge manages for them."
    if kind.service is not None and kind.service not in services:
        return f"the {kind.description} target needs the {kind.service} service, which this postoffice does not run."
    return None


def target_region_account(arn_text: str) -> tuple[str, str]:
    arn = parse_arn(arn_text)
    return ("", "") if arn is None else (arn.region, arn.account)
