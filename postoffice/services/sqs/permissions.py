"""AddPermission / RemovePermission: statements in the queue's Policy, one per label.

Policies are stored and shown, not enforced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

from postoffice.services.sqs.errors import invalid_parameter_value, missing_parameter

_LABEL = re.compile(r"[A-Za-z0-9_-]{1,80}")
_ACCOUNT = re.compile(r"\d{12}")
ACTIONS = frozenset(
    {
        "*",
        "ChangeMessageVisibility",
        "DeleteMessage",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "ListQueueTags",
        "PurgeQueue",
        "ReceiveMessage",
        "SendMessage",
        "StartMessageMoveTask",
        "CancelMessageMoveTask",
        "ListMessageMoveTasks",
    }
)


def _document(policy: str | None, queue_arn: str) -> dict[str, Any]:
    if policy:
        document = orjson.loads(policy)
        if isinstance(document, dict):
            return document
    return {"Version": "2008-10-17", "Id": f"{queue_arn}/SQSDefaultPolicy", "Statement": []}


def _statements(document: dict[str, Any]) -> list[Any]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def add_permission(
    policy: str | None, queue_arn: str, label: str, accounts: Sequence[str], actions: Sequence[str]
) -> str:
    """The queue's new Policy with a statement `label` granting `actions` to `accounts`."""
    if not _LABEL.fullmatch(label):
        raise invalid_parameter_value(
            "Label", label, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )
    if not accounts:
        raise missing_parameter("AWSAccountIds")
    if not actions:
        raise missing_parameter("Actions")
    for account in accounts:
        if not _ACCOUNT.fullmatch(account):
            raise invalid_parameter_value("PrincipalId", account, "Unable to verify.")
    qualified = []
    for action in actions:
        name = action[4:] if action.upper().startswith("SQS:") else action
        if name not in ACTIONS:
            raise invalid_parameter_value(
                "ActionName", f"SQS:{name}", "Please refer to the appropriate WSDL for a list of valid actions."
            )
        qualified.append(f"SQS:{name}")
    document = _document(policy, queue_arn)
    statements = _statements(document)
    if any(isinstance(statement, dict) and statement.get("Sid") == label for statement in statements):
        raise invalid_parameter_value("Label", label, "Already exists.")
    statements.append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": _one_or_many([f"arn:aws:iam::{account}:root" for account in accounts])},
            "Action": _one_or_many(qualified),
            "Resource": queue_arn,
        }
    )
    document["Statement"] = statements
    return orjson.dumps(document).decode()


def remove_permission(policy: str | None, queue_arn: str, label: str) -> str | None:
    """The queue's Policy without statement `label`; None when no statement is left."""
    document = _document(policy, queue_arn)
    statements = _statements(document)
    kept = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == label)]
    if len(kept) == len(statements):
        raise invalid_parameter_value("Label", label, "can't find label.")
    if not kept:
        return None
    document["Statement"] = kept
    return orjson.dumps(document).decode()
