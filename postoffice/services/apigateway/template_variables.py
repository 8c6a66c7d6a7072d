"""What a mapping template sees: `$input`, `$util`, `$context`, `$stageVariables`.

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import orjson

from postoffice.services.apigateway import jsonpath
from postoffice.services.apigateway.vtl import java


class Headers(dict):  # type: ignore[type-arg]
    """Header names compare without case, as HTTP has them."""

    def get(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if isinstance(key, str):
            for name, value in self.items():
                if name.lower() == key.lower():
                    return value
        return default

    def __contains__(self, key: object) -> bool:
        return self.get(key, _ABSENT) is not _ABSENT


_ABSENT = object()


class BodyError(Exception):
    """The body is not JSON although the template reads it as JSON."""


def json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _as_path_value(value: Any) -> Any:
    if isinstance(value, list):
        return java.JsonArray(_as_path_value(item) for item in value)
    if isinstance(value, dict):
        return {key: _as_path_value(item) for key, item in value.items()}
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, java.JavaObject):
        return value.vtl_string()
    return value


class InputVariable(java.JavaObject):
    def __init__(self, body: str, params: dict[str, dict[str, str]]) -> None:
        self.raw = body
        self.parameters = params
        self._document: Any = _UNPARSED

    def document(self) -> Any:
        if self._document is _UNPARSED:
            if not self.raw.strip():
                self._document = {}
            else:
                try:
                    self._document = orjson.loads(self.raw)
                except orjson.JSONDecodeError as error:
                    raise BodyError(str(error)) from None
        return self._document

    def body(self) -> str:
        return self.raw if self.raw else "{}"

    def json(self, path: str) -> str:
        value = self._read(path)
        return "" if value is None else json_text(value)

    def path(self, path: str) -> Any:
        value = self._read(path)
        return "" if value is None else _as_path_value(value)

    def _read(self, path: Any) -> Any:
        try:
            return jsonpath.read(self.document(), java.to_string(path) if path is not None else "$")
        except jsonpath.JsonPathError as error:
            raise java.InvocationError(str(error)) from None

    def params(self, name: Any = None) -> Any:
        if name is None:
            return self.parameters
        key = java.to_string(name)
        for location in ("path", "querystring", "header"):
            found = self.parameters.get(location, {}).get(key)
            if found is not None:
                return found
        return ""

    def vtl_get(self, name: str) -> Any:
        if name == "body":
            return self.body()
        if name == "params":
            return self.parameters
        return None

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name in ("getBody",) and not args:
            return self.body()
        if name == "json" and len(args) == 1:
            return self.json(args[0])
        if name == "path" and len(args) == 1:
            return self.path(args[0])
        if name == "params" and len(args) <= 1:
            return self.params(*args)
        return java.NO_METHOD

    def vtl_string(self) -> str:
        return self.body()


_UNPARSED = object()


def escape_javascript(text: str) -> str:
    """Apache Commons Lang's StringEscapeUtils.escapeJavaScript, which API Gateway calls."""
    out: list[str] = []
    data = text.encode("utf-16-be")
    for offset in range(0, len(data), 2):
        unit = int.from_bytes(data[offset : offset + 2], "big")
        char = chr(unit) if unit < 0xD800 or unit > 0xDFFF else ""
        if unit > 0x7F:
            out.append(f"\\u{unit:04X}")
        elif unit < 32:
            named = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(unit)
            out.append(named if named else f"\\u{unit:04X}")
        elif char in "'\"\\/":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def url_encode(text: str) -> str:
    """java.net.URLEncoder.encode(text, "UTF-8"): spaces as '+', only `.-*_` and alphanumerics kept."""
    return quote_plus(text, safe="*").replace("~", "%7E")


class UtilVariable(java.JavaObject):
    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if len(args) != 1:
            return java.NO_METHOD
        value = args[0]
        if name == "parseJson":
            if value is None:
                return None
            try:
                return orjson.loads(java.to_string(value))
            except orjson.JSONDecodeError as error:
                raise java.InvocationError(f"Unable to parse JSON: {error}") from None
        if name == "toJson":
            return json_text(_plain(value))
        text = java.to_string(value) if value is not None else None
        if text is None:
            return None
        if name == "escapeJavaScript":
            return escape_javascript(text)
        if name == "urlEncode":
            return url_encode(text)
        if name == "urlDecode":
            return unquote_plus(text)
        if name == "base64Encode":
            return base64.b64encode(text.encode()).decode()
        if name == "base64Decode":
            try:
                return base64.b64decode(text).decode("utf-8", "replace")
            except (binascii.Error, ValueError) as error:
                raise java.InvocationError(str(error)) from None
        return java.NO_METHOD

    def vtl_string(self) -> str:
        return "$util"


def template_variables(
    body: str,
    params: dict[str, dict[str, str]],
    context: dict[str, Any],
    stage_variables: dict[str, str],
) -> dict[str, Any]:
    return {
        "input": InputVariable(body, params),
        "util": UtilVariable(),
        "context": context,
        "stageVariables": dict(stage_variables),
    }
