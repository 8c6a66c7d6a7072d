"""Which rest operation a method and path name, from each operation's `http.requestUri`.

    /2015-03-31/functions/{FunctionName}/invocations   a label matches one path segment
    /{Bucket}/{Key+}                                   a greedy label matches the rest
    /2018-10-31/layers?find=LayerVersion               a query literal must be present

A service's table is compiled once. Routes are tried most specific first (query literals,
then literal segments, greedy labels last); labels are matched on the raw path and then
percent-decoded, so an encoded '/' stays inside its label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import unquote

from botocore.model import ServiceModel

from postoffice.protocol.models import service_model

_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Route:
    operation: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    query: tuple[tuple[str, str | None], ...]
    order: tuple[int, ...]

    def match(self, path: str, query: dict[str, list[str]]) -> dict[str, str] | None:
        for key, value in self.query:
            values = query.get(key)
            if values is None or (value is not None and value not in values):
                return None
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return {label: unquote(found.group(index)) for index, label in enumerate(self.labels, 1)}


@dataclass
class RouteTable:
    routes: dict[str, list[Route]] = field(default_factory=dict)
    first_segments: frozenset[str] = frozenset()

    def match(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[str, dict[str, str]] | None:
        for route in self.routes.get(method, ()):
            labels = route.match(path, query)
            if labels is not None:
                return route.operation, labels
        return None


def compile_route(operation: str, request_uri: str) -> Route:
    path, _, query_text = request_uri.partition("?")
    labels: list[str] = []
    pattern = []
    literal_segments = 0
    greedy = 0
    for segment in path.strip("/").split("/") if path.strip("/") else []:
        position = 0
        parts = []
        literal = True
        for label in _LABEL.finditer(segment):
            parts.append(re.escape(segment[position : label.start()]))
            name = label.group(1)
            if name.endswith("+"):
                labels.append(name[:-1])
                parts.append("(.+)")
                greedy += 1
            else:
                labels.append(name)
                parts.append("([^/]+)")
            literal = False
            position = label.end()
        parts.append(re.escape(segment[position:]))
        literal_segments += literal
        pattern.append("".join(parts))
    query = []
    for item in query_text.split("&") if query_text else []:
        key, equals, value = item.partition("=")
        query.append((key, value if equals else None))
    regex = re.compile("/" + "/".join(pattern) + "/?")
    order = (-len(query), greedy, -literal_segments, -len(pattern))
    return Route(operation, regex, tuple(labels), tuple(query), order)


def build_table(model: ServiceModel) -> RouteTable:
    routes: dict[str, list[Route]] = {}
    first_segments = set()
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http.get("requestUri", "/")
        routes.setdefault(http.get("method", "POST").upper(), []).append(compile_route(name, uri))
        first = uri.partition("?")[0].strip("/").split("/", 1)[0]
        if first and not _LABEL.search(first):
            first_segments.add(first)
    for method_routes in routes.values():
        method_routes.sort(key=lambda route: route.order)
    return RouteTable(routes, frozenset(first_segments))


@cache
def route_table(model_name: str) -> RouteTable:
    return build_table(service_model(model_name))


def first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]
