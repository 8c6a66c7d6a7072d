"""Policy documents: IAM's grammar checks, its size quotas, and the URL-encoded form it returns.

IAM checks a document in stages and answers with the first stage that fails, each with its own
message: the JSON grammar ("Syntax errors in policy."), the version, the legacy parser, Sid
uniqueness, actions, resources. Trust policies (a role's AssumeRolePolicyDocument) have their
own rules: a Principal is required, a Resource is forbidden, only STS actions are allowed.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from postoffice.services.iam.errors import malformed_policy

CURRENT_VERSION = "2012-10-17"
_VERSIONS = ("2008-10-17", CURRENT_VERSION)
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT_ELEMENTS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_TRUST_ACTIONS = frozenset(
    {
        "*",
        "sts:AssumeRole",
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession",
        "sts:SetSourceIdentity",
        "sts:SetContext",
    }
)

MANAGED_POLICY_MAX = 6144
TRUST_POLICY_MAX = 2048
INLINE_POLICIES_PER_ROLE_MAX = 10240

SYNTAX_ERRORS = "Syntax errors in policy."


class _Malformed(Exception):
    pass


def encode(document: str) -> str:
    """The URL-encoded form IAM returns documents in (botocore decodes it back)."""
    return quote(document, safe="")


def size(document: str) -> int:
    """A document's size as IAM counts it against quotas: whitespace is not counted."""
    return sum(1 for character in document if not character.isspace())


def check_permission_policy(document: str) -> None:
    """Raise MalformedPolicyDocument as IAM does for an identity-based policy (managed or inline)."""
    try:
        policy = json.loads(document)
    except ValueError:
        raise malformed_policy(SYNTAX_ERRORS) from None
    statements = _checked_grammar(policy)
    if policy.get("Version") != CURRENT_VERSION:
        raise malformed_policy("Policy document must be version 2012-10-17 or greater.")
    resource_error = _legacy_parse(statements)
    _check_sids(statements)
    for statement in statements:
        if "Principal" in statement or "NotPrincipal" in statement:
            raise malformed_policy("Policy document should not specify a principal.")
        if not _present(statement, "Action", "NotAction"):
            raise malformed_policy("Policy statement must contain actions.")
    if resource_error:
        raise malformed_policy(resource_error)
    for statement in statements:
        for action in _strings(statement, "Action", "NotAction"):
            _check_action(action)
    for statement in statements:
        if not _present(statement, "Resource", "NotResource"):
            raise malformed_policy("Policy statement must contain resources.")


def check_trust_policy(document: str) -> None:
    """Raise MalformedPolicyDocument as IAM does for a role's trust policy."""
    try:
        policy = json.loads(document)
    except ValueError:
        raise malformed_policy("This policy contains invalid Json") from None
    statements = _checked_grammar(policy)
    for statement in statements:
        if "Resource" in statement or "NotResource" in statement:
            raise malformed_policy("Has prohibited field Resource")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise malformed_policy("Missing required field Principal")
        for action in _strings(statement, "Action", "NotAction"):
            if action not in _TRUST_ACTIONS:
                raise malformed_policy("AssumeRole policy may only specify STS AssumeRole actions.")


def _checked_grammar(policy: Any) -> list[dict[str, Any]]:
    try:
        return _grammar(policy)
    except _Malformed:
        raise malformed_policy(SYNTAX_ERRORS) from None


def _grammar(policy: Any) -> list[dict[str, Any]]:
    _require(isinstance(policy, dict))
    _require(set(policy) <= _TOP_LEVEL)
    _require("Version" not in policy or policy["Version"] in _VERSIONS)
    _require("Id" not in policy or isinstance(policy["Id"], str))
    statement = policy.get("Statement")
    statements = [statement] if isinstance(statement, dict) else statement
    _require(isinstance(statements, list) and len(statements) > 0)
    for item in statements:
        _statement_grammar(item)
    return statements


def _statement_grammar(statement: Any) -> None:
    _require(isinstance(statement, dict))
    _require(set(statement) <= _STATEMENT_ELEMENTS)
    _require(not ("Action" in statement and "NotAction" in statement))
    _require(not ("Resource" in statement and "NotResource" in statement))
    _require(not ("Principal" in statement and "NotPrincipal" in statement))
    effect = statement.get("Effect")
    _require(isinstance(effect, str) and effect.lower() in ("allow", "deny"))
    _require("Sid" not in statement or isinstance(statement["Sid"], str))
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            value = statement[key]
            _require(isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)))
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            _require(isinstance(statement[key], (str, dict)))
    if "Condition" in statement:
        condition = statement["Condition"]
        _require(isinstance(condition, dict))
        for block in condition.values():
            _require(isinstance(block, dict))
            _require(all(isinstance(value, (str, list, bool, int, float)) for value in block.values()))


def _require(condition: bool) -> None:
    if not condition:
        raise _Malformed


def _legacy_parse(statements: list[dict[str, Any]]) -> str:
    """Run IAM's legacy checks; return the first resource-format complaint to report later."""
    resource_error = ""
    for statement in statements:
        if statement["Effect"] not in ("Allow", "Deny"):
            raise malformed_policy("The policy failed legacy parsing")
        for resource in _strings(statement, "Resource", "NotResource"):
            if resource == "*":
                continue
            if ":" not in resource:
                resource_error = resource_error or f'Resource {resource} must be in ARN format or "*".'
                continue
            parts = resource.split(":")
            if (resource.count(":") < 5 and "::" in resource) or (len(parts) > 2 and parts[2] == ""):
                raise malformed_policy("The policy failed legacy parsing")
    return resource_error


def _check_sids(statements: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for statement in statements:
        sid = statement.get("Sid")
        if sid:
            if sid in seen:
                raise malformed_policy("Statement IDs (SID) in a single policy must be unique.")
            seen.add(sid)


def _check_action(action: str) -> None:
    parts = action.split(":")
    if len(parts) == 1 and parts[0] != "*":
        raise malformed_policy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
    if len(parts) > 2:
        raise malformed_policy("Actions/Condition can contain only one colon.")
    vendor = parts[0]
    if vendor != "*" and not all(c.isascii() and (c.isalnum() or c in "-.") for c in vendor):
        raise malformed_policy(f"Vendor {vendor} is not valid")


def _present(statement: dict[str, Any], *keys: str) -> bool:
    for key in keys:
        if key in statement:
            value = statement[key]
            return bool(value) if isinstance(value, list) else True
    return False


def _strings(statement: dict[str, Any], *keys: str) -> list[str]:
    for key in keys:
        if key in statement:
            value = statement[key]
            return [value] if isinstance(value, str) else list(value)
    return []
