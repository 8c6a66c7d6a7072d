"""Tags on roles and policies: duplicate checks, merging, removal, listing order.

Role tag keys are case-insensitive (a new `Env` replaces `env`); policy tag keys are not.
"""

from __future__ import annotations

from postoffice.services.iam.errors import invalid_input

Tag = dict[str, str]


def _fold(key: str, case_insensitive: bool) -> str:
    return key.lower() if case_insensitive else key


def check_unique(tags: list[Tag], case_insensitive: bool) -> None:
    seen: set[str] = set()
    for tag in tags:
        key = _fold(tag["Key"], case_insensitive)
        if key in seen:
            message = "Duplicate tag keys found."
            if case_insensitive:
                message += " Please note that Tag keys are case insensitive."
            raise invalid_input(message)
        seen.add(key)


def merge(existing: list[Tag], new: list[Tag], case_insensitive: bool) -> list[Tag]:
    merged = {_fold(tag["Key"], case_insensitive): tag for tag in existing}
    for tag in new:
        merged[_fold(tag["Key"], case_insensitive)] = {"Key": tag["Key"], "Value": tag["Value"]}
    return list(merged.values())


def remove(existing: list[Tag], keys: list[str], case_insensitive: bool) -> list[Tag]:
    doomed = {_fold(key, case_insensitive) for key in keys}
    return [tag for tag in existing if _fold(tag["Key"], case_insensitive) not in doomed]


def listing_order(tags: list[Tag]) -> list[Tag]:
    """The order ListRoleTags/ListPolicyTags answer in: shorter keys first, then alphabetical."""
    return sorted(tags, key=lambda tag: (len(tag["Key"]), tag["Key"]))
