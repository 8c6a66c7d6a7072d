"""Event bus resource policies: PutPermission / RemovePermission, and whether a policy lets
another account send events to the bus."""

from __future__ import annotations

import re
from typing import Any

import orjson

from postoffice.protocol.errors import ServiceError
from postoffice.services.events.errors import not_found, validation

_PRINCIPAL = re.compile(r"\d{12}|\*")
_STATEMENT_ID = re.compile(r"[a-zA-Z0-9-_]{1,64}")
VERSION = "2012-10-17"


def put_permission(policy: dict[str, Any] | None, bus_arn: str, params: dict[str, Any]) -> dict[str, Any]:
    """The bus policy after PutPermission."""
    if params.get("Policy") is not None:
        try:
            document = orjson.loads(params["Policy"])
        except orjson.JSONDecodeError:
            raise validation("Parameter Policy is not valid. Reason: the policy is not valid JSON.") from None
        if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
            raise validation("Parameter Policy is not valid. Reason: the policy has no Statement list.")
        return document
    action = params.get("Action")
    if action != "events:PutEvents":
        raise validation("Provided value in parameter 'action' is not supported.")
    principal = params.get("Principal")
    if principal is None or not _PRINCIPAL.fullmatch(principal):
        raise validation(r"Principal must match ^(\d{1,12}|\*)$")
    sid = params.get("StatementId")
    if sid is None or not _STATEMENT_ID.fullmatch(sid):
        raise validation(r"StatementId must match ^[a-zA-Z0-9-_]{1,64}$")
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": action,
        "Resource": bus_arn,
    }
    condition = params.get("Condition")
    if condition:
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    document = dict(policy) if policy else {"Version": VERSION, "Statement": []}
    statements = [existing for existing in document.get("Statement", []) if existing.get("Sid") != sid]
    document["Statement"] = [*statements, statement]
    return document


def remove_permission(policy: dict[str, Any] | None, params: dict[str, Any]) -> dict[str, Any] | None:
    """The bus policy after RemovePermission (None when no statement is left)."""
    if params.get("RemoveAllPermissions"):
        return None
    sid = params.get("StatementId")
    if not sid:
        raise validation("Parameter StatementId is required.")
    statements = (policy or {}).get("Statement", [])
    remaining = [statement for statement in statements if statement.get("Sid") != sid]
    if len(remaining) == len(statements):
        raise statement_not_found()
    return {**(policy or {}), "Statement": remaining} if remaining else None


def statement_not_found() -> ServiceError:
    return not_found("Statement with the provided id does not exist.")


def allows_put_events(policy: dict[str, Any] | None, account: str) -> bool:
    """Does the bus policy let `account` PutEvents to the bus?"""
    for statement in (policy or {}).get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(action in ("events:PutEvents", "events:*", "*") for action in actions):
            continue
        if _names_account(statement.get("Principal"), account):
            return True
    return False


def _names_account(principal: Any, account: str) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        names = principal.get("AWS", [])
        names = [names] if isinstance(names, str) else names
        return any(name in ("*", account, f"arn:aws:iam::{account}:root") for name in names)
    return False
