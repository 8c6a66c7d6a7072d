"""PatchOperations, as API Gateway's Update* operations take them: `op` add | remove | replace,
a JSON-pointer `path` (`~1` is '/', `~0` is '~'), string `value`s converted to the field's type.

Each Update operation says which paths it accepts with `PatchField`s:

    PatchField("/name")                         a scalar
    PatchField("/apiKeyRequired", "bool")
    PatchField("/requestParameters/*", "bool")  one entry of a map (add / replace / remove)
    PatchField("/binaryMediaTypes/*", "item")   one item of a list of strings (add / remove)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from postoffice.services.apigateway import errors

OPERATIONS = ("add", "remove", "replace")


@dataclass(frozen=True)
class PatchField:
    path: str
    kind: str = "str"  # str | bool | int | float | item | json
    ops: tuple[str, ...] = OPERATIONS

    @property
    def segments(self) -> list[str]:
        return self.path.strip("/").split("/")


def decode_pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.strip("/").split("/")] if path else []


def convert(value: Any, kind: str, path: str) -> Any:
    if kind in ("str", "item", "json"):
        return value
    text = "" if value is None else str(value).strip()
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise errors.bad_request(f"Invalid value for boolean field {path}: {value}")
        return text.lower() == "true"
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        raise errors.bad_request(f"Invalid patch value '{value}' specified for {path}") from None


def _match(field: PatchField, raw: list[str]) -> bool:
    expected = field.segments
    if len(expected) != len(raw):
        return False
    return all(want == "*" or want == got for want, got in zip(expected, raw, strict=True))


def apply_patches(target: dict[str, Any], operations: Iterable[dict[str, Any]], fields: list[PatchField]) -> None:
    for operation in operations:
        op = operation.get("op")
        path = operation.get("path") or ""
        if op not in OPERATIONS:
            raise errors.bad_request("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
        raw = path.strip("/").split("/") if path.strip("/") else []
        field = next((candidate for candidate in fields if _match(candidate, raw)), None)
        if field is None:
            raise errors.invalid_patch_path(path)
        if op not in field.ops:
            raise errors.bad_request(
                f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
            )
        apply_one(target, op, decode_pointer(path), field, operation.get("value"), path)


def apply_one(target: dict[str, Any], op: str, keys: list[str], field: PatchField, value: Any, path: str) -> None:
    *parents, last = keys
    node = target
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict | list):
            if op == "remove":
                return
            child = [] if field.kind == "item" and key == parents[-1] else {}
            node[key] = child
        node = child  # type: ignore[assignment]
    if field.kind == "item":
        items = node if isinstance(node, list) else None
        if items is None:
            return
        if op == "remove":
            if last in items:
                items.remove(last)
        elif op == "add":
            if last not in items:
                items.append(last)
        else:
            if last in items:
                items.remove(last)
            items.append(value if value is not None else last)
        return
    assert isinstance(node, dict)
    if op == "remove":
        node.pop(last, None)
        return
    node[last] = convert(value, field.kind, path)
