"""What a service operation knows about the request that called it (slotted: one per request)."""

from __future__ import annotations

from dataclasses import dataclass, field

from postoffice.protocol.http import HttpRequest


@dataclass(slots=True)
class RequestContext:
    service: str
    account: str
    region: str
    request_id: str
    operation: str = ""
    protocol: str = ""
    access_key: str = ""
    request: HttpRequest | None = field(default=None, repr=False)

    @property
    def host(self) -> str:
        return self.request.host if self.request is not None else ""

    def internal(self, service: str, operation: str = "") -> RequestContext:
        """A context for an in-process call to another service on behalf of this request."""
        return RequestContext(
            service=service,
            account=self.account,
            region=self.region,
            request_id=self.request_id,
            operation=operation,
            protocol="internal",
            access_key=self.access_key,
            request=self.request,
        )
