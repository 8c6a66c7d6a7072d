"""SNS adapters: a filter policy per scope, and the "event" each scope matches against.

MessageAttributes scope sees one flat key per attribute: String -> the string, Number -> a
number (numeric operators work on it), String.Array -> the parsed JSON array (each element is
matched on its own), Binary -> ignored. Custom type suffixes ("Number.float",
"String.label") count as their base type. MessageBody scope sees the message parsed as JSON;
a body that is not a JSON object matches no policy that has keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from postoffice.core.matcher.compiler import compile_pattern
from postoffice.core.matcher.dialects import SNS_SCOPES
from postoffice.core.matcher.pattern import CompiledPattern
from postoffice.core.matcher.values import parse_number_text


def compile_filter_policy(policy: dict | str | bytes, scope: str = "MessageAttributes") -> CompiledPattern:
    """Compile an SNS FilterPolicy for a FilterPolicyScope ("MessageAttributes" | "MessageBody")."""
    return compile_pattern(policy, SNS_SCOPES[scope])


def message_attributes_event(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The event a MessageAttributes-scope policy is matched against.

    Accepts the Publish shape ({"DataType", "StringValue", "BinaryValue"}) or the delivered
    notification shape ({"Type", "Value"}).
    """
    event: dict[str, Any] = {}
    for name, attribute in attributes.items():
        data_type = attribute.get("DataType") or attribute.get("Type") or ""
        text = attribute.get("StringValue", attribute.get("Value"))
        if not isinstance(text, str):
            continue
        if data_type == "String.Array":
            try:
                values = json.loads(text)
            except ValueError:
                continue
            if isinstance(values, list):
                event[name] = values
        elif data_type == "Number" or data_type.startswith("Number."):
            number = parse_number_text(text)
            event[name] = number if number is not None else text
        elif data_type == "String" or data_type.startswith("String."):
            event[name] = text
    return event


def message_body_event(body: str | bytes) -> dict[str, Any] | None:
    """The parsed message body, or None when it is not a JSON object."""
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return parsed if isinstance(parsed, dict) else None
