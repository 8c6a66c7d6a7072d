"""Message attributes of a publish: AWS's checks and wording, their size, and their shapes.

Three shapes: as published (`{"DataType", "StringValue" | "BinaryValue": bytes}`), as carried
through the queue engine (the same, binary values base64 text), and as a notification shows
them (`{"Type", "Value"}`, binary values base64).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from postoffice.services.sns.errors import parameter_value_invalid

MAX_NAME_BYTES = 256
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_TYPE = re.compile(r"(String|Number|Binary)(\..+)?")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
MAX_NUMBER_MAGNITUDE = 1e126

Attributes = dict[str, dict[str, Any]]


def _check_name(name: str) -> None:
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise parameter_value_invalid("Length of message attribute name must be less than 256 bytes.")
    if _NAME.fullmatch(name) and not name.startswith(".") and not name.endswith(".") and ".." not in name:
        return
    if name.startswith("."):
        raise parameter_value_invalid("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise parameter_value_invalid("Invalid message attribute name ending with character '.' was found.")
    for char in name:
        if not _NAME.fullmatch(char):
            raise parameter_value_invalid(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message attribute name. "
                "Can only include alphanumeric characters, hyphens, underscores, or dots."
            )
    raise parameter_value_invalid("Message attribute name can not have successive '.' character.")


def check(attributes: Mapping[str, Mapping[str, Any]]) -> int:
    """Validate published attributes; return the bytes they add to the message size."""
    size = 0
    for name, attribute in attributes.items():
        _check_name(name)
        data_type = attribute.get("DataType") or ""
        if not _TYPE.fullmatch(data_type):
            raise parameter_value_invalid(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
                "type prefixes is Binary, Number, and String."
            )
        binary = data_type.startswith("Binary")
        field = "Binary" if binary else "String"
        string_value, binary_value = attribute.get("StringValue"), attribute.get("BinaryValue")
        if string_value is None and binary_value is None:
            raise parameter_value_invalid(
                f"The message attribute '{name}' must contain non-empty message attribute value for message "
                f"attribute type '{data_type}'."
            )
        value = binary_value if binary else string_value
        if value is None:
            raise parameter_value_invalid(
                f"The message attribute '{name}' with type '{data_type}' must use field '{field}'."
            )
        if not value:
            raise parameter_value_invalid(
                f"The message attribute '{name}' must contain non-empty message attribute value for message "
                f"attribute type '{data_type}'."
            )
        if data_type.startswith("Number"):
            _check_number(name, value)
        elif data_type == "String.Array":
            _check_array(name, value)
        raw = value if isinstance(value, (bytes, bytearray)) else str(value).encode("utf-8")
        size += len(name.encode("utf-8")) + len(data_type.encode("utf-8")) + len(raw)
    return size


def _check_number(name: str, value: str) -> None:
    text = value.strip()
    if not _NUMBER.fullmatch(text) or abs(float(text)) > MAX_NUMBER_MAGNITUDE:
        raise parameter_value_invalid(f"Could not cast message attribute '{name}' value to number.")


def _check_array(name: str, value: str) -> None:
    try:
        items = json.loads(value)
    except ValueError:
        items = None
    if not isinstance(items, list) or any(isinstance(item, (dict, list)) for item in items):
        raise parameter_value_invalid(
            f"The message attribute '{name}' with type 'String.Array' must be a JSON array of strings, numbers, "
            "true, false or null."
        )


def to_transport(attributes: Mapping[str, Mapping[str, Any]]) -> Attributes:
    out: Attributes = {}
    for name, attribute in attributes.items():
        data_type = attribute["DataType"]
        if data_type.startswith("Binary"):
            out[name] = {
                "DataType": data_type,
                "BinaryValue": base64.b64encode(bytes(attribute["BinaryValue"])).decode(),
            }
        else:
            out[name] = {"DataType": data_type, "StringValue": attribute["StringValue"]}
    return out


def to_publish(attributes: Mapping[str, Mapping[str, Any]]) -> Attributes:
    """Transport shape back to the published one (binary values as bytes), e.g. for SQS."""
    out: Attributes = {}
    for name, attribute in attributes.items():
        if "BinaryValue" in attribute:
            out[name] = {"DataType": attribute["DataType"], "BinaryValue": base64.b64decode(attribute["BinaryValue"])}
        else:
            out[name] = dict(attribute)
    return out


def to_notification(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    return {
        name: {"Type": attribute["DataType"], "Value": attribute.get("StringValue", attribute.get("BinaryValue"))}
        for name, attribute in attributes.items()
    }
