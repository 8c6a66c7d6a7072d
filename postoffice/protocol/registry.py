"""The wire protocols postoffice speaks, by the names botocore's models use."""

from __future__ import annotations

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.json_protocol import JsonProtocol

PROTOCOLS: dict[str, WireProtocol] = {
    "json": JsonProtocol(),
}


def protocol(name: str) -> WireProtocol:
    return PROTOCOLS[name]
