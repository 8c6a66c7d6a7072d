"""The HTTP request and response as the protocol layer sees them (no ASGI details).

Slotted dataclasses: one of each is built for every request, and the app builds them
positionally (keyword arguments cost twice as much on this path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

_MEDIA_TYPE_CACHE_SIZE = 256
_media_types: dict[str, str] = {}  # Content-Type header -> its media type (clients repeat a few)


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    client: str = ""
    raw_path: str = ""  # the path as sent, still percent-encoded (a label may hold an encoded '/')
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # what a protocol worked out once

    _query: list[tuple[str, str]] | None = field(default=None, repr=False)
    _content_type: str | None = field(default=None, repr=False)

    @property
    def query(self) -> list[tuple[str, str]]:
        if self._query is None:
            self._query = parse_qsl(self.query_string, keep_blank_values=True)
        return self._query

    def query_value(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    @property
    def content_type(self) -> str:
        """The media type alone (no parameters), lowercase; worked out once per request."""
        found = self._content_type
        if found is None:
            raw = self.headers.get("content-type", "")
            found = _media_types.get(raw)
            if found is None:
                found = raw.split(";", 1)[0].strip().lower()
                if len(_media_types) < _MEDIA_TYPE_CACHE_SIZE:
                    _media_types[raw] = found
            self._content_type = found
        return found

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass(slots=True)
class HttpResponse:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"
