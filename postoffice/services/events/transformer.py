"""What a target receives: the event, a constant Input, an InputPath selection, or an
InputTransformer template rendered as EventBridge renders it.

Template rendering: each `<name>` placeholder takes the value its InputPathsMap path selects
from the event (or a reserved variable). Where the placeholder sits inside a JSON string
literal of the template, the value goes in as raw text, unescaped (strings without quotes,
objects and arrays as compact JSON). Anywhere else it goes in as JSON (strings quoted). A path
that selects nothing gives an empty string. A template that renders to valid JSON is
delivered minified; any other template is delivered as the rendered text, quotes included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from postoffice.services.events.jsonpath import MISSING, JsonPathError, compile_path

RULE_ARN = "aws.events.rule-arn"
RULE_NAME = "aws.events.rule-name"
INGESTION_TIME = "aws.events.event.ingestion-time"
EVENT = "aws.events.event"
EVENT_JSON = "aws.events.event.json"
RESERVED = frozenset({RULE_ARN, RULE_NAME, INGESTION_TIME, EVENT, EVENT_JSON})

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
# The order EventBridge gives the fields of <aws.events.event>.
_EVENT_FIELDS = ("id", "account", "detail-type", "time", "source", "region", "resources", "version")


@dataclass(frozen=True)
class Invocation:
    """What the reserved variables refer to for one delivery."""

    rule_arn: str
    rule_name: str
    ingestion_time: str


def input_error(target: dict[str, Any]) -> str | None:
    """Why PutTargets must refuse this target's input settings, in EventBridge's words; or None."""
    target_id = target.get("Id", "")
    given = [name for name in ("Input", "InputPath", "InputTransformer") if target.get(name) is not None]
    if len(given) > 1:
        return f"Only one of Input, InputPath, or InputTransformer must be provided for target {target_id}."
    if target.get("Input") is not None:
        try:
            orjson.loads(target["Input"])
        except orjson.JSONDecodeError:
            return f"Input for target {target_id} is not valid JSON text."
    if target.get("InputPath") is not None and not _is_path(target["InputPath"]):
        return f"InputPath for target {target_id} is not a valid JSON path."
    transformer = target.get("InputTransformer")
    if transformer is not None:
        paths = transformer.get("InputPathsMap") or {}
        for key, path in paths.items():
            if key in RESERVED or key.lower().startswith("aws."):
                return f"InputPathsMap for target {target_id} contains reserved key {key}."
            if not _is_path(path):
                return f"InputPathsMap for target {target_id} contains invalid JSON path {path}."
        for name in _PLACEHOLDER.findall(transformer.get("InputTemplate", "")):
            if name not in paths and name not in RESERVED:
                return f"InputTemplate for target {target_id} contains invalid placeholder {name}."
    return None


def render_input(target: dict[str, Any], event: dict[str, Any], invocation: Invocation) -> str | None:
    """The payload for `target`, or None when its InputPath selects nothing."""
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath") is not None:
        selected = compile_path(target["InputPath"]).select(event)
        return None if selected is MISSING else _json(selected)
    transformer = target.get("InputTransformer")
    if transformer is not None:
        return render_template(transformer, event, invocation)
    return _json(event)


def render_template(transformer: dict[str, Any], event: dict[str, Any], invocation: Invocation) -> str:
    template: str = transformer["InputTemplate"]
    values = _values(transformer.get("InputPathsMap") or {}, event, invocation)
    in_string = _string_positions(template)
    pieces: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in values:
            continue
        pieces.append(template[position : match.start()])
        value = values[name]
        pieces.append(_raw(value) if in_string(match.start()) else _json(value))
        position = match.end()
    pieces.append(template[position:])
    rendered = "".join(pieces)
    if rendered.lstrip()[:1] in ("{", "["):
        try:
            return orjson.dumps(orjson.loads(rendered)).decode()
        except orjson.JSONDecodeError:
            return rendered
    return rendered


def _values(paths: dict[str, str], event: dict[str, Any], invocation: Invocation) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, path in paths.items():
        selected = compile_path(path).select(event)
        values[name] = "" if selected is MISSING else selected
    values[RULE_ARN] = invocation.rule_arn
    values[RULE_NAME] = invocation.rule_name
    values[INGESTION_TIME] = invocation.ingestion_time
    values[EVENT] = {
        ("detailType" if key == "detail-type" else key): event[key] for key in _EVENT_FIELDS if key in event
    }
    values[EVENT_JSON] = event
    return values


def _string_positions(template: str) -> Any:
    """A predicate: is this offset of the template inside a JSON string literal?"""
    inside = bytearray(len(template) + 1)
    in_string = False
    escaped = False
    for index, char in enumerate(template):
        inside[index] = in_string
        if escaped:
            escaped = False
        elif in_string and char == "\\":
            escaped = True
        elif char == '"':
            in_string = not in_string
    return lambda offset: bool(inside[offset])


def _raw(value: Any) -> str:
    if isinstance(value, str):
        return value
    return _json(value)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _is_path(path: str) -> bool:
    try:
        compile_path(path)
    except JsonPathError:
        return False
    return True
