"""SNS filter policy constraints ("Filter policy constraints in Amazon SNS").

- MessageAttributes scope takes no nested objects.
- At most 5 keys; only keys whose value is an array count (nested parents do not), per `$or`
  branch.
- Total combinations <= 150: the product, over the policy's arrays, of (number of values x
  nesting depth of the key), summed over `$or` alternatives (AWS's worked examples: a 4-value
  key three levels deep and a 3-value key two levels deep give 3x4 x 2x3 = 72).
- At most 256 KB of JSON.
"""

from __future__ import annotations

import json

from postoffice.core.matcher.dialects import Dialect
from postoffice.core.matcher.errors import PatternError

MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_POLICY_BYTES = 256 * 1024


def check_sns_limits(policy: dict, branches: list[dict], dialect: Dialect, size: int | None) -> None:
    if size is None:
        size = len(json.dumps(policy, separators=(",", ":")).encode("utf-8"))
    if size > MAX_POLICY_BYTES:
        raise PatternError("Filter policy is too long")
    if not dialect.nested and _is_nested(policy):
        raise PatternError(
            "Filter policy scope MessageAttributes does not support nested filter policy", policy_field=False
        )
    if any(len(branch) > MAX_KEYS for branch in branches):
        raise PatternError(f"Filter policy can not have more than {MAX_KEYS} keys")
    if combinations(policy) > MAX_COMBINATIONS:
        raise PatternError("Filter policy is too complex")


def _is_nested(policy: dict) -> bool:
    for key, value in policy.items():
        if key == "$or" and isinstance(value, list):
            if any(isinstance(branch, dict) and _is_nested(branch) for branch in value):
                return True
        elif isinstance(value, dict):
            return True
    return False


def combinations(policy: dict, depth: int = 1) -> int:
    total = 1
    for key, value in policy.items():
        if key == "$or" and isinstance(value, list):
            total *= sum(combinations(branch, depth) for branch in value if isinstance(branch, dict))
        elif isinstance(value, dict):
            total *= combinations(value, depth + 1)
        elif isinstance(value, list):
            total *= depth * len(value)
        if total > MAX_COMBINATIONS * MAX_COMBINATIONS:
            return total
    return total
