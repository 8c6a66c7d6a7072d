"""Which service a request is for, and in which of its protocols it speaks.

Clues, strongest first: the X-Amz-Target header, a Smithy RPC v2 path, the SigV4 credential
scope (Authorization header or presigned query), the Host (`sqs.<region>.localhost`), the
path (`/<account>/<queue>`, or a rest service's request URIs such as Lambda's
`/2015-03-31/functions`), and for unsigned query requests the API Version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.http import HttpRequest
from postoffice.protocol.registry import protocol
from postoffice.protocol.rest_routes import first_segment, route_table
from postoffice.protocol.sigv4 import CredentialScope
from postoffice.services.base import Service

_QUEUE_PATH = re.compile(r"^/\d{12}/[^/]+/?$")
_SMITHY_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Route:
    service: Service
    protocol: str
    wire: WireProtocol = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "wire", protocol(self.protocol))


class Router:
    def __init__(self, services: dict[str, Service]) -> None:
        self.services = services
        self.by_target: dict[str, Service] = {}
        self.by_signing_name: dict[str, Service] = {}
        self.by_api_version: dict[str, Service] = {}
        self.by_smithy_name: dict[str, Service] = {}
        self.by_rest_segment: dict[str, list[Service]] = {}
        self._routes: dict[tuple[Service, str], Route] = {}  # one each, built once
        self._json_by_target: dict[str, Route] = {}
        self._cbor_by_name: dict[str, Route] = {}
        for service in services.values():
            if service.target_prefix:
                self.by_target[service.target_prefix] = service
                self.by_smithy_name[service.target_prefix] = service
                self._json_by_target[service.target_prefix] = self._route(service, "json")
                self._cbor_by_name[service.target_prefix] = self._route(service, "smithy-rpc-v2-cbor")
            self.by_signing_name.setdefault(service.signing_name, service)
            self.by_signing_name.setdefault(service.model.metadata.get("endpointPrefix", ""), service)
            if "query" in service.protocols:
                self.by_api_version[service.model.api_version] = service
            if "rest-json" in service.protocols:
                for segment in route_table(service.model_name or service.name).first_segments:
                    self.by_rest_segment.setdefault(segment, []).append(service)

    def route(self, request: HttpRequest, scope: CredentialScope) -> Route | None:
        headers = request.headers
        target = headers.get("x-amz-target")
        if target:
            return self._json_by_target.get(target.rpartition(".")[0])
        if headers.get("smithy-protocol") == "rpc-v2-cbor":
            match = _SMITHY_PATH.match(request.path)
            return self._cbor_by_name.get(match.group(1)) if match else None
        service = self.by_signing_name.get(scope.service) if scope.service else None
        if service is None:
            service = self._from_host_or_path(request)
        if service is None:
            service = self._from_rest_path(request)
        if service is None:
            service = self._from_query_version(request)
        if service is None:
            return None
        return self._route(service, self._protocol_of(service, request))

    def _route(self, service: Service, protocol_name: str) -> Route:
        route = self._routes.get((service, protocol_name))
        if route is None:
            route = self._routes[service, protocol_name] = Route(service, protocol_name)
        return route

    def _from_host_or_path(self, request: HttpRequest) -> Service | None:
        host = request.host.split(":", 1)[0]
        first_label = host.split(".", 1)[0]
        if first_label in self.services and "." in host:
            return self.services[first_label]
        if _QUEUE_PATH.match(request.path):
            return self.services.get("sqs")
        return None

    def _from_rest_path(self, request: HttpRequest) -> Service | None:
        candidates = self.by_rest_segment.get(first_segment(request.path))
        if not candidates:
            return None
        if len(candidates) > 1:
            query: dict[str, list[str]] = {}
            for key, value in request.query:
                query.setdefault(key, []).append(value)
            path = request.raw_path or request.path
            for service in candidates:
                if route_table(service.model_name or service.name).match(request.method, path, query):
                    return service
        return candidates[0]

    def _from_query_version(self, request: HttpRequest) -> Service | None:
        version = request.query_value("Version")
        if version is None and request.content_type == _FORM:
            match = re.search(rb"(?:^|&)Version=([^&]*)", request.body)
            version = match.group(1).decode() if match else None
        return self.by_api_version.get(version) if version else None

    @staticmethod
    def _protocol_of(service: Service, request: HttpRequest) -> str:
        if "query" in service.protocols and (
            request.content_type == _FORM or (request.method == "GET" and "Action=" in request.query_string)
        ):
            return "query"
        return service.protocols[0]
