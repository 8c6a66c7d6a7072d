"""What Velocity sees when it looks at a value: Java's toString, bean properties and the methods
of String, List, Map, numbers and booleans, over Python's str, list, dict, int, float and bool.

Objects a template is given (`$input`, `$util`...) subclass `JavaObject` and answer
`vtl_get(name)` / `vtl_call(name, args)` themselves.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

NO_METHOD = object()  # a method Java would not find: Velocity prints the reference as written


class JavaObject:
    def vtl_get(self, name: str) -> Any:
        return None

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        return NO_METHOD

    def vtl_string(self) -> str:
        return object.__repr__(self)


class Entry(JavaObject):
    """A Map.Entry, from `$map.entrySet()`."""

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def vtl_get(self, name: str) -> Any:
        return {"key": self.key, "value": self.value}.get(name)

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name == "getKey" and not args:
            return self.key
        if name == "getValue" and not args:
            return self.value
        if name == "toString" and not args:
            return self.vtl_string()
        return NO_METHOD

    def vtl_string(self) -> str:
        return f"{to_string(self.key)}={to_string(self.value)}"


class JsonArray(list):  # type: ignore[type-arg]
    """A JSON array read with `$input.path`: Jayway hands it over as a JSON array, which prints as JSON."""


class InvocationError(Exception):
    """A Java method threw (index out of bounds, bad regex...): the template fails."""


def to_string(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return double_string(value)
    if isinstance(value, JsonArray):
        return _json_text(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_string(k)}={to_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, JavaObject):
        return value.vtl_string()
    return str(value)


def _json_text(value: Any) -> str:

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=to_string)


def double_string(value: float) -> str:
    """Java's Double.toString: plain between 10^-3 and 10^7, else d.dddE±n."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        if "e" in text:
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    figures = "".join(str(d) for d in digits).rstrip("0") or "0"
    power = exponent + len(digits) - 1
    mantissa = figures[0] + "." + (figures[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{power}"


def truthy(value: Any) -> bool:
    """Velocity 1.7: false and null are false; anything else (even "" or []) is true."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    return True


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def equals(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if is_number(left) and is_number(right):
        return bool(left == right)
    if type(left) is type(right):
        return bool(left == right)
    return to_string(left) == to_string(right)


def get_property(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        if name in value:
            return value[name]
        return (len(value) == 0) if name == "empty" else None
    if isinstance(value, JavaObject):
        return value.vtl_get(name)
    if isinstance(value, str | list) and name == "empty":
        return len(value) == 0
    if name == "class":
        return type(value).__name__
    return None


def get_index(value: Any, key: Any) -> Any:
    if isinstance(value, list):
        if not is_number(key):
            return None
        try:
            return value[int(key)]
        except IndexError:
            raise InvocationError(f"Index: {key}, Size: {len(value)}") from None
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, JavaObject):
        return value.vtl_call("get", [key])
    return None


def call_method(value: Any, name: str, args: list[Any]) -> Any:
    if isinstance(value, JavaObject):
        return value.vtl_call(name, args)
    if isinstance(value, str):
        method = _STRING.get(name)
    elif isinstance(value, list):
        method = _LIST.get(name)
    elif isinstance(value, dict):
        method = _MAP.get(name)
    elif isinstance(value, bool):
        method = _BOOLEAN.get(name)
    elif is_number(value):
        method = _NUMBER.get(name)
    else:
        method = None
    if method is None:
        if name == "toString" and not args:
            return to_string(value)
        if name == "equals" and len(args) == 1:
            return equals(value, args[0])
        return NO_METHOD
    try:
        return method(value, *args)
    except TypeError:
        return NO_METHOD
    except InvocationError:
        raise
    except (IndexError, ValueError, KeyError, re.error) as error:
        raise InvocationError(str(error)) from None


# java.lang.String -------------------------------------------------------------------------


def java_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_convert_regex(pattern))


def _convert_regex(pattern: str) -> str:
    """Java and Python regexes mostly agree; Java's possessive quantifiers and \\p{Alpha}-style
    classes are the differences templates meet."""
    converted = re.sub(r"(?<!\\)([*+?}])\+", r"\1", pattern)
    for java, python in (
        (r"\p{Alpha}", "[A-Za-z]"),
        (r"\p{Digit}", r"\d"),
        (r"\p{Alnum}", "[A-Za-z0-9]"),
        (r"\p{Punct}", r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""),
        (r"\p{Space}", r"\s"),
        (r"\p{Upper}", "[A-Z]"),
        (r"\p{Lower}", "[a-z]"),
    ):
        converted = converted.replace(java, python)
    return converted


def java_replacement(replacement: str) -> Any:
    """Java's replacement syntax: `$1` is a group, `\\$` a dollar sign."""
    parts: list[str | int] = []
    text: list[str] = []
    index = 0
    while index < len(replacement):
        char = replacement[index]
        if char == "\\" and index + 1 < len(replacement):
            text.append(replacement[index + 1])
            index += 2
        elif char == "$":
            match = re.match(r"\d+", replacement[index + 1 :])
            if match is None:
                raise InvocationError("Illegal group reference")
            if text:
                parts.append("".join(text))
                text = []
            parts.append(int(match.group(0)))
            index += 1 + len(match.group(0))
        else:
            text.append(char)
            index += 1
    if text:
        parts.append("".join(text))

    def expand(match: re.Match[str]) -> str:
        return "".join(part if isinstance(part, str) else (match.group(part) or "") for part in parts)

    return expand


def _split(text: str, pattern: str, limit: int = 0) -> list[str]:
    regex = java_regex(pattern)
    parts: list[str] = []
    position = 0
    for match in regex.finditer(text):
        if limit > 0 and len(parts) == limit - 1:
            break
        if match.end() == 0:
            continue
        if match.start() == match.end() and match.start() >= len(text):
            break
        parts.append(text[position : match.start()])
        position = match.end()
    parts.append(text[position:])
    if limit == 0:
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        if parts == [""] and text:
            return []
    return parts


def _substring(text: str, begin: int, end: int | None = None) -> str:
    stop = len(text) if end is None else end
    if begin < 0 or stop > len(text) or begin > stop:
        raise InvocationError(f"begin {begin}, end {stop}, length {len(text)}")
    return text[begin:stop]


def _index_of(text: str, sub: Any, start: int = 0) -> int:
    return text.find(to_string(sub), max(start, 0))


def _char_at(text: str, index: int) -> str:
    if not 0 <= index < len(text):
        raise InvocationError(f"String index out of range: {index}")
    return text[index]


def _compare(left: str, right: str) -> int:
    for a, b in zip(left, right, strict=False):
        if a != b:
            return ord(a) - ord(b)
    return len(left) - len(right)


_STRING: dict[str, Any] = {
    "length": lambda s: len(s.encode("utf-16-le")) // 2,
    "substring": _substring,
    "toLowerCase": lambda s: s.lower(),
    "toUpperCase": lambda s: s.upper(),
    "trim": lambda s: s.strip("".join(chr(c) for c in range(33))),
    "strip": lambda s: s.strip(),
    "replaceAll": lambda s, p, r: java_regex(p).sub(java_replacement(r), s),
    "replaceFirst": lambda s, p, r: java_regex(p).sub(java_replacement(r), s, count=1),
    "replace": lambda s, a, b: s.replace(to_string(a), to_string(b)),
    "contains": lambda s, x: to_string(x) in s,
    "startsWith": lambda s, x, offset=0: s.startswith(x, offset),
    "endsWith": lambda s, x: s.endswith(x),
    "indexOf": _index_of,
    "lastIndexOf": lambda s, x: s.rfind(to_string(x)),
    "split": _split,
    "equals": lambda s, x: isinstance(x, str) and s == x,
    "equalsIgnoreCase": lambda s, x: isinstance(x, str) and s.lower() == x.lower(),
    "isEmpty": lambda s: len(s) == 0,
    "isBlank": lambda s: s.strip() == "",
    "charAt": _char_at,
    "concat": lambda s, x: s + x,
    "matches": lambda s, p: java_regex(p).fullmatch(s) is not None,
    "toString": lambda s: s,
    "compareTo": _compare,
    "hashCode": lambda s: _string_hash(s),
}


def _string_hash(text: str) -> int:
    value = 0
    for unit in _utf16_units(text):
        value = (31 * value + unit) & 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _utf16_units(text: str) -> list[int]:
    data = text.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


# java.util.List ---------------------------------------------------------------------------


def _list_get(items: list[Any], index: int) -> Any:
    if not 0 <= index < len(items):
        raise InvocationError(f"Index: {index}, Size: {len(items)}")
    return items[index]


def _list_add(items: list[Any], *args: Any) -> Any:
    if len(args) == 1:
        items.append(args[0])
        return True
    index, value = args
    items.insert(index, value)
    return None


def _list_remove(items: list[Any], target: Any) -> Any:
    if is_number(target) and isinstance(target, int):
        return items.pop(_checked(items, target))
    for position, item in enumerate(items):
        if equals(item, target):
            del items[position]
            return True
    return False


def _list_set(items: list[Any], index: int, value: Any) -> Any:
    previous = items[_checked(items, index)]
    items[index] = value
    return previous


def _checked(items: list[Any], index: int) -> int:
    if not 0 <= index < len(items):
        raise InvocationError(f"Index: {index}, Size: {len(items)}")
    return index


def _index(items: list[Any], target: Any) -> int:
    for position, item in enumerate(items):
        if equals(item, target):
            return position
    return -1


_LIST: dict[str, Any] = {
    "size": len,
    "get": _list_get,
    "isEmpty": lambda items: not items,
    "contains": lambda items, x: _index(items, x) >= 0,
    "indexOf": _index,
    "add": _list_add,
    "addAll": lambda items, more: items.extend(more) or True,
    "remove": _list_remove,
    "set": _list_set,
    "clear": lambda items: items.clear(),
    "subList": lambda items, a, b: items[a:b],
    "toString": to_string,
}


# java.util.Map ----------------------------------------------------------------------------


def _map_put(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
    previous = mapping.get(key)
    mapping[key] = value
    return previous


_MAP: dict[str, Any] = {
    "size": len,
    "get": lambda m, k: m.get(k),
    "getOrDefault": lambda m, k, d: m.get(k, d),
    "containsKey": lambda m, k: k in m,
    "containsValue": lambda m, v: any(equals(v, item) for item in m.values()),
    "keySet": lambda m: list(m.keys()),
    "values": lambda m: list(m.values()),
    "entrySet": lambda m: [Entry(k, v) for k, v in m.items()],
    "isEmpty": lambda m: not m,
    "put": _map_put,
    "putAll": lambda m, other: m.update(other),
    "remove": lambda m, k: m.pop(k, None),
    "clear": lambda m: m.clear(),
    "toString": to_string,
}


# Numbers and booleans ---------------------------------------------------------------------

_NUMBER: dict[str, Any] = {
    "toString": to_string,
    "intValue": lambda n: int(n),
    "longValue": lambda n: int(n),
    "doubleValue": lambda n: float(n),
    "floatValue": lambda n: float(n),
    "compareTo": lambda n, other: (n > other) - (n < other),
}

_BOOLEAN: dict[str, Any] = {
    "toString": to_string,
    "booleanValue": lambda b: b,
}
