"""postoffice serving only a stub SQS whose SendMessage does no work: the protocol layer alone.

Everything else is `postoffice serve` itself (same app, router, JSON protocol, codec,
validation, uvicorn settings); only the service list differs, so the figure measures what the
request path costs before any queue work.

    python -m bench.protocol_server --port 8001
"""

from __future__ import annotations

import sys
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services import registry
from postoffice.services.base import Service

SEND_RESULT = {
    "MD5OfMessageBody": "fafb00f5732ab283681e124bf8747ed1",
    "MessageId": "5fea7756-0ea4-451a-a703-a558b933e274",
}


class StubSqs(Service):
    name = "sqs"
    protocols = ("json",)
    json_error_namespace = "com.amazonaws.sqs"

    def SendMessage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return SEND_RESULT


def main(argv: list[str] | None = None) -> int:
    from postoffice.cli import main as postoffice_main

    registry.SERVICE_CLASSES = ["postoffice.services.sts.api:Sts", f"{__name__}:StubSqs"]
    return postoffice_main(["serve", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
